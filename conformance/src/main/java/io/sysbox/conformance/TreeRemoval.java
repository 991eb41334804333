package io.sysbox.conformance;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Removes a suite's temporary tree. Mounts left under it are detached first: deleting through a
 * mount would delete the mount's source (a bind-mounted host dir, an idmapped rootfs).
 */
public final class TreeRemoval {
    private TreeRemoval() {}

    /** Returns the mounts it had to detach (each one a leak to report). */
    public static List<String> remove(Path top) {
        List<String> detached = new ArrayList<>();
        List<MountEntry> under = MountEntry.current().stream()
                .filter(m -> m.mountPoint().startsWith(top))
                .sorted(Comparator.comparingInt((MountEntry m) -> m.mountPoint().getNameCount()).reversed())
                .toList();
        for (MountEntry mount : under) {
            try {
                MountApi.umount(mount.mountPoint().toString(), MountApi.MNT_DETACH);
                detached.add(mount.line());
            } catch (ErrnoException e) {
                throw new IllegalStateException("cannot detach leftover mount " + mount.mountPoint() + " (" + e.getMessage()
                        + "); not removing " + top + " to avoid deleting through it", e);
            }
        }
        if (!Files.exists(top)) return detached;
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) throw failure;
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + top + ": " + e.getMessage(), e);
        }
        return detached;
    }
}
