package io.sysbox.mgr.idmap;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * ID-shifted views of host trees. A detached clone of the source (open_tree) gets the user
 * namespace's mapping (mount_setattr MOUNT_ATTR_IDMAP) and is attached at the target
 * (move_mount). Files work as well as directories. Until move_mount succeeds the clone exists
 * only as an fd, so a failure at any step leaves nothing mounted.
 */
public final class IdmappedMount {
    private static final int EOPNOTSUPP = 95;
    /** A target may have been mounted over more than once (a crash mid-retry); bounded so a bug cannot spin. */
    private static final int MAX_STACKED = 16;

    private IdmappedMount() {}

    /**
     * Attaches an idmapped clone of source at target, creating target (a directory, or an empty
     * file when source is not a directory) if it does not exist and removing it again on failure.
     *
     * @throws IdmapUnsupportedException when the source's filesystem cannot be idmapped
     */
    public static void attach(Path source, Path target, UserNamespaceFile userns, boolean recursive)
            throws IOException {
        attach(source, target, userns, recursive, AtimeAttributes.NONE);
    }

    /**
     * As {@link #attach(Path, Path, UserNamespaceFile, boolean)}, the clone's top mount given the
     * access-time mode ATIME (see {@link AtimeAttributes}).
     */
    public static void attach(Path source, Path target, UserNamespaceFile userns, boolean recursive,
                              AtimeAttributes atime) throws IOException {
        boolean created = false;
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(source)) Files.createDirectory(target);
            else Files.createFile(target);
            created = true;
        }
        boolean attached = false;
        int tree = MountApi.openTreeClone(source.toString(), recursive);
        try {
            try {
                MountApi.setIdmap(tree, userns.fd(), recursive, source.toString());
            } catch (ErrnoException e) {
                if (e.errno() == ErrnoException.EINVAL || e.errno() == ErrnoException.EPERM || e.errno() == EOPNOTSUPP) {
                    String fsType = fsType(source);
                    throw new IdmapUnsupportedException(source + " is on a " + fsType + " filesystem"
                            + (recursive ? " (or has a submount)" : "") + " that does not support idmapped mounts ("
                            + e.getMessage() + ")", fsType, e);
                }
                throw e;
            }
            if (!atime.isNone()) MountApi.setAttr(tree, atime.set(), atime.clear(), -1, false, source.toString());
            MountApi.moveMount(tree, target.toString());
            attached = true;
        } finally {
            MountApi.close(tree);
            if (!attached && created) Files.deleteIfExists(target);
        }
    }

    /**
     * Detaches whatever is mounted at target (lazily: users of the mount keep their view) and
     * removes target. Only an empty directory or a file is removed, never a tree: should the
     * unmount not have happened, deleting would reach into the source.
     */
    public static void detach(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
        Path canonical = target.toRealPath(LinkOption.NOFOLLOW_LINKS);
        for (int i = 0; i < MAX_STACKED && MountInfo.isMountPoint(canonical); i++) {
            MountApi.umount(canonical.toString(), MountApi.MNT_DETACH);
        }
        if (MountInfo.isMountPoint(canonical)) {
            throw new IOException(canonical + " is still mounted after " + MAX_STACKED + " unmounts; not removing it");
        }
        try {
            Files.deleteIfExists(canonical);
        } catch (DirectoryNotEmptyException e) {
            throw new IOException(canonical + " is not a mount point but is not empty; leaving it for inspection", e);
        }
    }

    private static String fsType(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
