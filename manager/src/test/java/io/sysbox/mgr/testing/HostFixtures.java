package io.sysbox.mgr.testing;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idmap.MountInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Real-kernel test helpers: stat numbers, mount-table queries, and cleanup that never reaches through a mount. */
public final class HostFixtures {
    private HostFixtures() {}

    public static long uid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    public static long gid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    public static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    public static List<MountInfo> mountsUnder(Path dir) throws IOException {
        return MountInfo.under(dir.toRealPath());
    }

    /** A fresh directory under /tmp (canonical, so it matches mountinfo). */
    public static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix).toRealPath();
    }

    /**
     * Detaches every mount under dir (deepest first), then deletes the tree. Deleting only after
     * the mount table shows nothing under dir, so the walk can never reach into a mount's source.
     */
    public static void cleanUp(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path real = dir.toRealPath();
        for (int round = 0; round < 8; round++) {
            List<MountInfo> mounts = new ArrayList<>(MountInfo.under(real));
            if (mounts.isEmpty()) break;
            mounts.sort(Comparator.comparingInt((MountInfo m) -> m.mountPoint().getNameCount()).reversed());
            for (MountInfo mount : mounts) {
                try {
                    MountApi.umount(mount.mountPoint().toString(), MountApi.MNT_DETACH);
                } catch (ErrnoException ignored) {
                    // Gone with its parent already.
                }
            }
        }
        if (!MountInfo.under(real).isEmpty()) throw new IOException("mounts remain under " + real + "; not deleting it");
        try (Stream<Path> walk = Files.walk(real)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * `unshare -n sleep 60`, returned once it runs in its new network namespace (one of the host's
     * user namespace, as CNI makes a pod's); the caller kills it.
     */
    public static Process networkNamespaceHolder() throws IOException, InterruptedException {
        return namespaceHolder("--net");
    }

    /**
     * A process in new namespaces of the host's user namespace, as a CRI runtime makes them for
     * a pod before the runtime runs (CRI-O's pinns: {@code --net --ipc --uts}); returned once the
     * namespaces exist (unshare has exec'd sleep).
     */
    public static Process namespaceHolder(String... unshareOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(List.of(unshareOptions));
        command.addAll(List.of("sleep", "60"));
        Process holder = new ProcessBuilder(command).start();
        String kind = unshareOptions[0].substring(2);
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns", kind)).toString();
        Path ns = Path.of("/proc", Long.toString(holder.pid()), "ns", kind);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.readSymbolicLink(ns).toString().equals(host)) {
            if (!holder.isAlive() || System.nanoTime() > deadline) {
                holder.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not start");
            }
            Thread.sleep(10);
        }
        return holder;
    }
}
