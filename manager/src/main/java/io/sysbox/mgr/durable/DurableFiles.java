package io.sysbox.mgr.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes that survive a crash or power loss: temp file, fsync, atomic rename, fsync of the directory. */
public final class DurableFiles {
    private DurableFiles() {}

    public static void replace(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(target.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) out.write(buffer);
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // A full disk, say: no half-written temp file stays behind, and the message says which file.
            Files.deleteIfExists(temp);
            throw new IOException("cannot write " + target + ": " + (e.getMessage() == null ? e : e.getMessage()), e);
        }
        syncDirectory(dir);
    }

    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename or unlink in dir durable: the directory entry itself must reach the disk. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
