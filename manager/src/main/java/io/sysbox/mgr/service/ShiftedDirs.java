package io.sysbox.mgr.service;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.Ownership;
import io.sysbox.mgr.idmap.IdmappedMount;
import io.sysbox.mgr.idmap.MountInfo;
import io.sysbox.mgr.idrange.IdRange;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * DATA_ROOT/shifted/ID: the idmapped clones made for one container, {@code rootfs} and
 * {@code mounts/N}, and for an overlay rootfs the clones of its lower layers, {@code lower/N};
 * {@code sysfs}, a sysfs of a network namespace the container joins but does not own;
 * {@code network}, a CRI sandbox's own user, network, ipc and uts namespaces (PodNamespaceHandover).
 * The low-level runtime resolves these paths after joining the container's user namespace, so
 * the container's root (its host gid) may traverse them; nobody else may ({@code lower/} is
 * for overlayfs, which reaches it with the manager's credentials: root only).
 */
final class ShiftedDirs {
    private final Path root;

    ShiftedDirs(Path dataRoot) throws IOException {
        this.root = dataRoot.resolve("shifted");
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    }

    Path dirOf(String id) {
        return root.resolve(id);
    }

    Path rootfsOf(String id) {
        return dirOf(id).resolve("rootfs");
    }

    Path mountOf(String id, int index) {
        return dirOf(id).resolve("mounts").resolve(Integer.toString(index));
    }

    /** A sysfs of the container's network namespace when the container does not own it (NetworkSysfs). */
    Path sysfsOf(String id) {
        return dirOf(id).resolve("sysfs");
    }

    /** A CRI sandbox's namespace files, when its pod's namespaces were handed over (PodNamespaceHandover). */
    Path networkOf(String id) {
        return dirOf(id).resolve("network");
    }

    Path lowersOf(String id) {
        return dirOf(id).resolve("lower");
    }

    Path lowerOf(String id, int index) {
        return lowersOf(id).resolve(Integer.toString(index));
    }

    /** Creates the directory for the clones of an overlay rootfs's lower layers. */
    void createLowers(String id) throws IOException {
        Path lowers = lowersOf(id);
        if (!Files.isDirectory(lowers, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(lowers);
        Files.setPosixFilePermissions(lowers, PosixFilePermissions.fromString("rwx------"));
    }

    /** Creates the container's directories, traversable by its root group only. */
    void create(String id, IdRange gid) throws IOException {
        for (Path dir : List.of(dirOf(id), dirOf(id).resolve("mounts"))) {
            Files.createDirectories(dir);
            Ownership.lchown(dir.toString(), 0, (int) gid.hostId());
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x---"));
        }
    }

    /** Ids that have a directory here. */
    List<String> ids() throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) ids.add(dir.getFileName().toString());
        }
        return ids;
    }

    /**
     * Unmounts and removes everything made for id; nothing to do when it has nothing. The mount
     * table is the authority on what is mounted, deepest first; only then are the (now empty)
     * mount points removed, one by one, never recursively.
     */
    void clean(String id) throws IOException {
        Path dir = dirOf(id);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path canonical = dir.toRealPath();
        List<MountInfo> mounted = new ArrayList<>(MountInfo.under(canonical));
        mounted.sort(Comparator.comparingInt((MountInfo m) -> m.mountPoint().getNameCount()).reversed());
        for (MountInfo mount : mounted) {
            try {
                MountApi.umount(mount.mountPoint().toString(), MountApi.MNT_DETACH);
            } catch (ErrnoException e) {
                // EINVAL: already gone with a parent that was detached before it.
                if (e.errno() != ErrnoException.EINVAL && e.errno() != ErrnoException.ENOENT) throw e;
            }
        }
        IdmappedMount.detach(canonical.resolve("rootfs"));
        for (String sub : List.of("mounts", "lower")) {
            Path clones = canonical.resolve(sub);
            if (!Files.isDirectory(clones, LinkOption.NOFOLLOW_LINKS)) continue;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(clones)) {
                for (Path entry : entries) IdmappedMount.detach(entry);
            }
            Files.delete(clones);
        }
        Files.deleteIfExists(canonical.resolve("sysfs"));
        Path network = canonical.resolve("network");
        if (Files.isDirectory(network, LinkOption.NOFOLLOW_LINKS)) {
            // The namespace files, unmounted above (PodNamespaceHandover: userns, netns, ipcns, utsns).
            try (DirectoryStream<Path> files = Files.newDirectoryStream(network)) {
                for (Path file : files) Files.delete(file);
            }
            Files.delete(network);
        }
        Files.delete(canonical);
    }
}
