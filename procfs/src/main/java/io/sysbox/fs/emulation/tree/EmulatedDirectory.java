package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.emulation.file.EmulatedFile;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.List;
import java.util.Set;

/**
 * One directory of each container's tree and the emulated files in it.
 *
 * @param path        relative to the container's directory, '/'-separated ("proc", "sys/devices/system/cpu")
 * @param permissions its permission bits, as the host's directory of that name shows them
 * @param host        the host directory whose other names it passes through (see HostNode), if any
 */
public record EmulatedDirectory(String path, int permissions, List<EmulatedFile> files, Optional<Path> host) {
    public EmulatedDirectory(String path, int permissions, List<EmulatedFile> files) {
        this(path, permissions, files, Optional.empty());
    }

    public EmulatedDirectory {
        files = List.copyOf(files);
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("emulated directory '" + path + "' must be a relative path such as"
                    + " proc or sys/devices/system/cpu");
        }
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("emulated directory '" + path + "' has an empty, '.' or '..' part");
            }
        }
        Set<String> names = new HashSet<>();
        for (EmulatedFile file : files) {
            if (!names.add(file.name())) {
                throw new IllegalArgumentException("emulated directory " + path + " holds two files named " + file.name());
            }
        }
    }

    /** The last part of the path. */
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The path of the directory holding it; "" for the container's directory itself. */
    public String parent() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
