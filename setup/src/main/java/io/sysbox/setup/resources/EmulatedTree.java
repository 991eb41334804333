package io.sysbox.setup.resources;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What sysbox-fs serves for one container, as its Register answers it: the directory of the
 * container's files, the same tree on the read-only connection, and which paths exist there
 * (relative, '/'-separated: "proc/uptime"), so the setup binds them without probing FUSE.
 *
 * @param directories  the directories served under root
 * @param files        the files served under root
 * @param readOnlyFiles the files also served under readOnlyRoot (no container can write them)
 * @param seccompListener where the container's seccomp filter hands its mount calls to sysbox-fs, if it takes them
 */
public record EmulatedTree(Path root, Path readOnlyRoot, Set<String> directories, Set<String> files,
                           Set<String> readOnlyFiles, Optional<Path> seccompListener) {

    /** A sysbox-fs that intercepts no calls. */
    public EmulatedTree(Path root, Path readOnlyRoot, Set<String> directories, Set<String> files,
                        Set<String> readOnlyFiles) {
        this(root, readOnlyRoot, directories, files, readOnlyFiles, Optional.empty());
    }

    public EmulatedTree {
        directories = Set.copyOf(directories);
        files = Set.copyOf(files);
        readOnlyFiles = Set.copyOf(readOnlyFiles);
        if (!files.containsAll(readOnlyFiles)) {
            throw new IllegalArgumentException("a read-only file must be one of the served files");
        }
    }

    /** Where file PATH is best read: on the read-only connection when served there. */
    public Path sourceOf(String path) {
        return readOnlyFiles.contains(path) ? readOnlyRoot.resolve(path) : root.resolve(path);
    }
}
