package io.sysbox.install.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file's content so that a reader (dockerd reloading on SIGHUP, a crash half-way) sees
 * either the old file or the new one, never a truncated one: the new content goes to a temporary
 * file in the same directory, is synced, takes over the old file's mode and owner, and is renamed
 * over it; the directory is synced so the rename survives a power loss.
 */
public final class AtomicFileReplacement {
    private final Path target;
    private final int modeIfNew;

    /** TARGET is written as it is (callers resolve symlinks first); MODE_IF_NEW applies when it does not exist. */
    public AtomicFileReplacement(Path target, int modeIfNew) {
        this.target = target.toAbsolutePath();
        this.modeIfNew = modeIfNew;
    }

    public void write(byte[] content) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        boolean existed = Files.exists(target);
        int mode = existed ? ((Integer) Files.getAttribute(target, "unix:mode")) & 07777 : modeIfNew;
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            Files.setAttribute(temp, "unix:mode", mode);
            if (existed) {
                // A file root keeps for another owner (a group-readable config) stays theirs.
                Files.setAttribute(temp, "unix:gid", Files.getAttribute(target, "unix:gid"));
                Files.setAttribute(temp, "unix:uid", Files.getAttribute(target, "unix:uid"));
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically (" + e.getMessage()
                        + "): it was left as it was", e);
            }
            moved = true;
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            }
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }
}
