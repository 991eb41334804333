package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idmap.MountInfo;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Deletes a tree a container wrote. Every step is relative to an open directory
 * (openat/unlinkat through SecureDirectoryStream) and never follows a symlink, so a link
 * planted in the tree, or swapped in while the walk runs, cannot make it delete outside.
 * Mounts under the tree are detached first: a walk must never reach into a mount's source.
 */
final class TreeRemover {
    private TreeRemover() {}

    /** Removes path and everything below it; false when nothing was there. */
    static boolean remove(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!attributes.isDirectory()) {
            Files.deleteIfExists(path);
            return true;
        }
        Path real = path.toRealPath();
        detachMountsUnder(real);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(real)) {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("cannot delete " + real + " safely: this platform has no openat-based directory streams");
            }
            empty(secure, real);
        }
        Files.deleteIfExists(real);
        return true;
    }

    private static void empty(SecureDirectoryStream<Path> dir, Path where) throws IOException {
        // Names first: unlinking while readdir runs may skip entries on some filesystems.
        List<Path> names = new ArrayList<>();
        for (Path entry : dir) names.add(entry.getFileName());
        for (Path name : names) {
            BasicFileAttributes attributes;
            try {
                attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (attributes.isDirectory()) {
                try (SecureDirectoryStream<Path> child = open(dir, name, where)) {
                    empty(child, where.resolve(name));
                }
                dir.deleteDirectory(name);
            } else {
                dir.deleteFile(name);
            }
        }
    }

    /** Opens a subdirectory; one the container made unreadable is opened up first (when not running as root). */
    private static SecureDirectoryStream<Path> open(SecureDirectoryStream<Path> dir, Path name, Path where)
            throws IOException {
        try {
            return dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(PosixFilePermissions.fromString("rwx------"));
            try {
                return dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
            } catch (AccessDeniedException again) {
                throw new IOException("cannot delete " + where.resolve(name) + ": permission denied even after chmod 0700", again);
            }
        }
    }

    /** Mount points under dir, deepest first, detached; fails if any remains. */
    private static void detachMountsUnder(Path dir) throws IOException {
        List<MountInfo> mounts = new ArrayList<>(MountInfo.under(dir));
        if (mounts.isEmpty()) return;
        mounts.sort(Comparator.comparingInt((MountInfo m) -> m.mountPoint().getNameCount()).reversed());
        for (MountInfo mount : mounts) {
            try {
                MountApi.umount(mount.mountPoint().toString(), MountApi.MNT_DETACH);
            } catch (ErrnoException e) {
                // Gone already, with a parent detached before it.
                if (e.errno() != ErrnoException.EINVAL && e.errno() != ErrnoException.ENOENT) throw e;
            }
        }
        List<MountInfo> left = MountInfo.under(dir);
        if (!left.isEmpty()) {
            throw new IOException("not deleting " + dir + ": " + left.getFirst().mountPoint()
                    + " is still mounted under it and cannot be detached");
        }
    }
}
