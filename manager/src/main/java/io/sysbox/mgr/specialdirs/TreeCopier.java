package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.DeviceNodes;
import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.FileTimes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes one directory tree a copy of another, the way {@code cp -a} would with owners moved
 * between a container's image ids and host ids: contents, modes with setuid/setgid/sticky,
 * owners, symlinks (never followed), hard links, device nodes, fifos, sockets, xattrs of every
 * namespace (with the ids inside file capabilities and ACLs moved too) and modification times.
 *
 * <p>The target is synchronized, not rebuilt: a regular file with the same size and
 * modification time keeps its content, entries the source lacks are removed. So copying an
 * inner image cache back at every stop only writes what changed since the last one.
 *
 * <p>Names travel as Paths from directory listings (their bytes, whatever the locale).
 *
 * <p>Into an overlay (a copy back into a container's rootfs) whiteouts and overlayfs xattrs
 * are not written but collected: see {@link InnerOverlayMetadata} for why.
 */
final class TreeCopier {
    private static final int KEPT_PROBLEMS = 10;

    private final IdTranslation ids;
    /** The top of the source, which collected paths are relative to. */
    private final Path sourceRoot;
    /** Null when the target takes everything. */
    private final InnerOverlayMetadata.Collector aside;
    /** Where the first name of each multiply-linked source inode went. */
    private final Map<FileStat.Inode, Path> firstNames = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long problemCount, filesCopied, bytesCopied, unchanged, created, removed;

    private TreeCopier(IdTranslation ids, Path sourceRoot, InnerOverlayMetadata.Collector aside) {
        this.ids = ids;
        this.sourceRoot = sourceRoot;
        this.aside = aside;
    }

    /**
     * Makes target (created if missing; its parent must exist) a copy of the directory source.
     * Fails on what makes the copy incomplete (no space, unreadable files); what only loses a
     * detail (an xattr the filesystem refuses) is reported instead.
     */
    static CopyReport sync(Path source, Path target, IdTranslation ids) throws IOException {
        return sync(source, target, ids, null);
    }

    /**
     * Like {@link #sync(Path, Path, IdTranslation)}, into a target in an overlay: whiteouts and
     * overlayfs xattrs go to aside (paths relative to source, owners translated) instead.
     */
    static CopyReport syncIntoOverlay(Path source, Path target, IdTranslation ids, InnerOverlayMetadata.Collector aside)
            throws IOException {
        return sync(source, target, ids, aside);
    }

    private static CopyReport sync(Path source, Path target, IdTranslation ids, InnerOverlayMetadata.Collector aside)
            throws IOException {
        FileStat top = FileStat.of(source);
        if (!top.isDirectory()) throw new IOException("cannot copy " + source + ": not a directory");
        TreeCopier copier = new TreeCopier(ids, source, aside);
        copier.entry(source, target, top);
        return copier.report();
    }

    /**
     * Moves the owners of everything under dir (dir included) along ids, in place, keeping
     * setuid/setgid bits and file capabilities (which chown clears).
     */
    static CopyReport reown(Path dir, IdTranslation ids) throws IOException {
        TreeCopier copier = new TreeCopier(ids, dir, null);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                FileStat stat = FileStat.of(d);
                copier.metadata(d, d, stat, stat);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                FileStat stat = FileStat.of(file);
                if (stat.nlink() > 1 && copier.firstNames.putIfAbsent(stat.inode(), file) != null) {
                    return FileVisitResult.CONTINUE;
                }
                copier.metadata(file, file, stat, stat);
                return FileVisitResult.CONTINUE;
            }
        });
        return copier.report();
    }

    private CopyReport report() {
        return new CopyReport(filesCopied, bytesCopied, unchanged, created, removed, List.copyOf(problems), problemCount);
    }

    private void entry(Path src, Path dst, FileStat s) throws IOException {
        FileStat d = FileStat.ifExists(dst);
        switch (s.type()) {
            case FileStat.S_IFDIR -> directory(src, dst, s, d);
            case FileStat.S_IFLNK -> symlink(src, dst, s, d);
            case FileStat.S_IFREG -> regular(src, dst, s, d);
            default -> special(src, dst, s, d);
        }
    }

    private void directory(Path src, Path dst, FileStat s, FileStat d) throws IOException {
        if (d != null && !d.isDirectory()) {
            discard(dst);
            d = null;
        }
        if (d == null) {
            Files.createDirectory(dst);
            created++;
        }
        List<Path> names = names(src);
        Set<Path> wanted = new HashSet<>(names);
        for (Path name : names(dst)) {
            if (!wanted.contains(name)) {
                discard(dst.resolve(name));
                removed++;
            }
        }
        for (Path name : names) {
            Path child = src.resolve(name);
            entry(child, dst.resolve(name), FileStat.of(child));
        }
        // After the children: creating them changed the directory's modification time.
        metadata(src, dst, s, FileStat.of(dst));
    }

    private void symlink(Path src, Path dst, FileStat s, FileStat d) throws IOException {
        Path target = Files.readSymbolicLink(src);
        if (d != null && !(d.isSymlink() && Files.readSymbolicLink(dst).equals(target))) {
            discard(dst);
            d = null;
        }
        if (d == null) {
            Files.createSymbolicLink(dst, target);
            created++;
            d = FileStat.of(dst);
        }
        metadata(src, dst, s, d);
    }

    private void regular(Path src, Path dst, FileStat s, FileStat d) throws IOException {
        if (s.nlink() > 1) {
            Path first = firstNames.get(s.inode());
            if (first != null) {
                // A further name of an inode already copied: one more link to its copy.
                if (d == null || !d.inode().equals(FileStat.of(first).inode())) {
                    if (d != null) discard(dst);
                    Files.createLink(dst, first);
                    created++;
                }
                return;
            }
            firstNames.put(s.inode(), dst);
        }
        // A target still linked elsewhere while the source is not would share changes: rewrite it.
        boolean same = d != null && d.isRegular() && d.size() == s.size() && d.mtime().equals(s.mtime())
                && (d.nlink() == 1 || s.nlink() > 1);
        if (same) {
            unchanged++;
        } else {
            if (d != null) discard(dst);
            Files.copy(src, dst, LinkOption.NOFOLLOW_LINKS);
            filesCopied++;
            bytesCopied += s.size();
            d = FileStat.of(dst);
        }
        metadata(src, dst, s, d);
    }

    private void special(Path src, Path dst, FileStat s, FileStat d) throws IOException {
        if (aside != null && InnerOverlayMetadata.isWhiteout(s)) {
            if (d != null) discard(dst);
            try {
                aside.whiteout(relative(src), ids.uid(s.uid()), ids.gid(s.gid()), s.permissions(), s.mtime());
            } catch (IOException e) {
                problem("cannot set whiteout " + src + " aside: " + e.getMessage());
            }
            return;
        }
        if (d != null && !(d.type() == s.type() && d.rdev() == s.rdev())) {
            discard(dst);
            d = null;
        }
        if (d == null) {
            try {
                DeviceNodes.mknod(dst, s.type() | (s.permissions() & 0777), s.rdev());
            } catch (IOException e) {
                problem("cannot make special file " + dst + ": " + e.getMessage());
                return;
            }
            created++;
            d = FileStat.of(dst);
        }
        metadata(src, dst, s, d);
    }

    /**
     * Owner, xattrs, mode, times, in that order: chown clears setuid/setgid and file
     * capabilities, and the desired xattrs are read before it (src may be dst, in reown).
     */
    private void metadata(Path src, Path dst, FileStat s, FileStat d) throws IOException {
        Map<String, byte[]> wanted = translatedXattrs(src);
        long uid = ids.uid(s.uid()), gid = ids.gid(s.gid());
        boolean chowned = false;
        if (d.uid() != uid || d.gid() != gid) {
            Files.setAttribute(dst, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dst, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
            chowned = true;
        }
        if (wanted != null) syncXattrs(dst, wanted);
        if (!s.isSymlink() && (chowned || d.permissions() != s.permissions())) {
            // chmod by path: the JDK's no-follow variant opens the file, which a device or fifo refuses
            // (or blocks). dst is not a symlink: it was just made or checked.
            Files.setAttribute(dst, "unix:mode", s.permissions());
        }
        if (!d.mtime().equals(s.mtime())) {
            try {
                FileTimes.set(dst, s.mtime(), s.atime());
            } catch (IOException e) {
                // A name utimensat cannot be given (not representable in the JVM's file-name encoding): the JDK
                // can, for anything but fifos and devices.
                if (!s.isRegular() && !s.isDirectory() && !s.isSymlink()) throw e;
                Files.getFileAttributeView(dst, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(s.mtime(), s.atime(), null);
            }
        }
    }

    /** null when the source's xattrs cannot be read (reported; the target's are left alone). */
    private Map<String, byte[]> translatedXattrs(Path src) {
        try {
            Map<String, byte[]> values = new LinkedHashMap<>();
            for (String name : ExtendedAttributes.names(src)) {
                byte[] value = ExtendedAttributes.get(src, name).orElse(null);
                if (value == null) continue;
                if (aside != null && InnerOverlayMetadata.carries(name)) aside.xattr(relative(src), name, value);
                else values.put(name, IdBearingXattrs.translate(name, value, ids));
            }
            return values;
        } catch (IOException e) {
            problem("cannot read the xattrs of " + src + ": " + e.getMessage());
            return null;
        }
    }

    private void syncXattrs(Path dst, Map<String, byte[]> wanted) {
        List<String> present;
        try {
            present = ExtendedAttributes.names(dst);
        } catch (IOException e) {
            problem("cannot list the xattrs of " + dst + ": " + e.getMessage());
            return;
        }
        for (String name : present) {
            if (wanted.containsKey(name)) continue;
            try {
                ExtendedAttributes.remove(dst, name);
            } catch (IOException e) {
                problem("cannot remove xattr " + name + " of " + dst + ": " + e.getMessage());
            }
        }
        for (Map.Entry<String, byte[]> xattr : wanted.entrySet()) {
            try {
                byte[] current = present.contains(xattr.getKey())
                        ? ExtendedAttributes.get(dst, xattr.getKey()).orElse(null) : null;
                if (!Arrays.equals(current, xattr.getValue())) ExtendedAttributes.set(dst, xattr.getKey(), xattr.getValue());
            } catch (IOException e) {
                problem("cannot set xattr " + xattr.getKey() + " of " + dst + ": " + e.getMessage());
            }
        }
    }

    /** src relative to the top of the source, as a name the collected metadata can carry. */
    private Path relative(Path src) throws IOException {
        Path relative = sourceRoot.relativize(src);
        if (!Path.of(relative.toString()).equals(relative)) {
            throw new IOException(src + ": the file name is not representable in the JVM's file-name encoding; start"
                    + " sysbox-mgr with a UTF-8 locale (LANG=C.UTF-8)");
        }
        return relative;
    }

    private static void discard(Path path) throws IOException {
        TreeRemover.remove(path);
    }

    private static List<Path> names(Path dir) throws IOException {
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) names.add(entry.getFileName());
        }
        return names;
    }

    private void problem(String what) {
        problemCount++;
        if (problems.size() < KEPT_PROBLEMS) problems.add(what);
    }
}
