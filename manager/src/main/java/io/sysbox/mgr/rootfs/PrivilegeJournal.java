package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ExtendedAttributes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;

/**
 * The one file whose owner is being changed while it carries setuid/setgid bits or file
 * capabilities. chown(2) strips those, and the walk only puts them back afterwards: a crash
 * (kill -9 of the manager) in between would leave a setuid binary without its bit, and a
 * second walk would not notice, because the owner is already right. So the bits are written
 * down durably before the chown and {@link #recover} puts them back on the next walk.
 *
 * <p>Format: {@code uid gid mode capabilities-hex-or-dash}, newline, then the path.
 */
final class PrivilegeJournal {
    private final Path file;

    PrivilegeJournal(Path file) {
        this.file = file;
    }

    /** Before the chown: path must end owned by uid:gid with this mode and capabilities (null: none). */
    void record(Path path, long uid, long gid, int mode, byte[] capabilities) throws IOException {
        String text = uid + " " + gid + " " + Integer.toOctalString(mode) + " "
                + (capabilities == null ? "-" : HexFormat.of().formatHex(capabilities)) + "\n" + path;
        boolean created = !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) out.write(buffer);
            out.force(true);
        }
        if (created) {
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }

    /** After the bits are back. A journal left behind is harmless: see {@link #recover}. */
    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * Puts back what a crash may have stripped: only when the file already has the owner the
     * journal names (the chown happened; if not, the bits are still on it and the walk will
     * carry them over itself).
     */
    void recover() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        int newline = text.indexOf('\n');
        String[] fields = newline < 0 ? new String[0] : text.substring(0, newline).split(" ");
        if (fields.length == 4) {
            Path path = Path.of(text.substring(newline + 1));
            long uid = Long.parseLong(fields[0]);
            long gid = Long.parseLong(fields[1]);
            int mode = Integer.parseInt(fields[2], 8);
            byte[] capabilities = fields[3].equals("-") ? null : HexFormat.of().parseHex(fields[3]);
            restore(path, uid, gid, mode, capabilities);
        }
        // A torn journal was being written when the manager died: the chown had not happened yet.
        clear();
    }

    private static void restore(Path path, long uid, long gid, int mode, byte[] capabilities) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (Integer.toUnsignedLong((Integer) attributes.get("uid")) != uid
                || Integer.toUnsignedLong((Integer) attributes.get("gid")) != gid) {
            return;
        }
        if (((Integer) attributes.get("mode") & 07777) != (mode & 07777)) TreeOwnershipShift.chmod(path, mode);
        if (capabilities != null) ExtendedAttributes.set(path, FileCapabilities.XATTR, capabilities);
    }
}
