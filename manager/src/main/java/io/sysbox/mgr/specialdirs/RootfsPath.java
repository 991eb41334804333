package io.sysbox.mgr.specialdirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A path inside a container's rootfs as the container would resolve it: symlinks are followed
 * with the rootfs as their root, and ".." stops at it. Image content is untrusted: a
 * {@code /var/lib/docker -> /etc} symlink must land in the rootfs's /etc, never the host's.
 * The runtime resolves mount destinations the same way, so this is where the special dir's
 * mount appears inside.
 */
final class RootfsPath {
    private static final int MAX_SYMLINKS = 40;

    private RootfsPath() {}

    /** The host path of containerPath (absolute, as the container names it); it need not exist. */
    static Path resolve(Path rootfs, String containerPath) throws IOException {
        Deque<Path> pending = new ArrayDeque<>();
        for (Path name : Path.of("/").relativize(Path.of("/", containerPath))) pending.add(name);
        List<Path> resolved = new ArrayList<>();
        int links = 0;
        while (!pending.isEmpty()) {
            Path name = pending.removeFirst();
            String text = name.toString();
            if (text.isEmpty() || text.equals(".")) continue;
            if (text.equals("..")) {
                if (!resolved.isEmpty()) resolved.removeLast();
                continue;
            }
            Path candidate = join(rootfs, resolved).resolve(name);
            if (!Files.isSymbolicLink(candidate)) {
                resolved.add(name);
                continue;
            }
            if (++links > MAX_SYMLINKS) {
                throw new IOException("cannot resolve " + containerPath + " in " + rootfs + ": more than "
                        + MAX_SYMLINKS + " symlinks (a loop in the image?)");
            }
            Path target = Files.readSymbolicLink(candidate);
            if (target.isAbsolute()) resolved.clear();
            List<Path> names = new ArrayList<>();
            for (Path element : target) names.add(element);
            for (int i = names.size() - 1; i >= 0; i--) pending.addFirst(names.get(i));
        }
        return join(rootfs, resolved);
    }

    private static Path join(Path rootfs, List<Path> names) {
        Path path = rootfs;
        for (Path name : names) path = path.resolve(name);
        return path;
    }
}
