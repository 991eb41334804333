package io.sysbox.mgr.rootfs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * sysbox's own directory inside the engine's overlay workdir ({@code <workdir>/sysbox}): the
 * workdir of the ID-shifted overlay and the {@link PrivilegeJournal} of the upper layer's walk.
 *
 * <p>Inside the engine's workdir because overlayfs requires upperdir and workdir on the same
 * mount, which the engine's workdir is by construction, and because the engine removes it
 * with the layer should sysbox never get to. Not the engine's workdir itself: mounting an
 * overlay empties {@code workdir/work}, which the engine's still-mounted overlay uses for its
 * own copy-ups, and a volatile mount's marker left there would make the other mount fail.
 * overlayfs only ever touches the {@code work} and {@code index} entries of a workdir, so
 * neither mount disturbs the other's.
 */
public record SysboxWorkDir(Path dir) {
    private static final String NAME = "sysbox";

    public static SysboxWorkDir in(Path engineWorkDir) {
        return new SysboxWorkDir(engineWorkDir.resolve(NAME));
    }

    /** The new overlay's workdir. */
    public Path overlayWork() {
        return dir.resolve("overlay");
    }

    public Path journal() {
        return dir.resolve("ownership-journal");
    }

    void create() throws IOException {
        for (Path d : new Path[] {dir, overlayWork()}) {
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Removes it and what overlayfs left in it (its work/ is mode 000: root removes it anyway). */
    void remove() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
