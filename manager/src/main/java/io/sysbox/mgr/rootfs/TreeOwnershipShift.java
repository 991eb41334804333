package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.Ownership;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Map;

/**
 * Changes the owners of everything in a tree by an {@link IdShift}, entry by entry (lchown:
 * a symlink itself, never its target), without descending into anything mounted inside.
 * What chown(2) strips is put back: setuid/setgid bits (the mode is restored) and file
 * capabilities (rewritten, their root id shifted along). Entries whose owner is outside the
 * shift's source span are not touched, so an interrupted run is finished by running it again;
 * the {@link PrivilegeJournal} covers the one entry a crash can catch half-done.
 */
public final class TreeOwnershipShift {
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000;

    private final IdShift shift;
    private final PrivilegeJournal journal;

    /** @param journalFile where the in-flight privileged entry is written down: on the tree's filesystem, outside the tree */
    public TreeOwnershipShift(IdShift shift, Path journalFile) {
        this.shift = shift;
        this.journal = new PrivilegeJournal(journalFile);
    }

    /** Shifts root and everything under it; returns how many entries changed owner. */
    public long apply(Path root) throws IOException {
        journal.recover();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return 0;
        Object device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        long[] changed = {0};
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE,
                new FileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        // Something mounted inside the layer is not the layer's.
                        if (!Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS).equals(device)) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        if (shiftEntry(dir)) changed[0]++;
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (shiftEntry(file)) changed[0]++;
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        // Removed while we walked (the old overlay's owner deleted it): nothing to shift.
                        if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                        throw e;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        if (e != null) throw e;
                        return FileVisitResult.CONTINUE;
                    }
                });
        return changed[0];
    }

    private boolean shiftEntry(Path path) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        int mode = (Integer) attributes.get("mode");
        long uid = Integer.toUnsignedLong((Integer) attributes.get("uid"));
        long gid = Integer.toUnsignedLong((Integer) attributes.get("gid"));
        long newUid = shift.uids().apply(uid);
        long newGid = shift.gids().apply(gid);
        if (newUid == uid && newGid == gid) return false;
        int type = mode & S_IFMT;
        boolean modeSettable = type == S_IFREG || type == S_IFDIR;
        byte[] capabilities = type == S_IFREG
                ? ExtendedAttributes.get(path, FileCapabilities.XATTR).orElse(null) : null;
        byte[] newCapabilities = capabilities == null ? null : FileCapabilities.shifted(capabilities, shift.uids());
        boolean privileged = (modeSettable && (mode & 06000) != 0) || capabilities != null;
        if (privileged) journal.record(path, newUid, newGid, mode, newCapabilities);
        Ownership.lchown(path.toString(), (int) newUid, (int) newGid);
        if (privileged) {
            if (modeSettable && (mode & 06000) != 0) chmod(path, mode);
            if (newCapabilities != null) ExtendedAttributes.set(path, FileCapabilities.XATTR, newCapabilities);
            journal.clear();
        }
        return true;
    }

    /** Sets the permission bits (setuid/setgid/sticky included) of a regular file or directory. */
    static void chmod(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }
}
