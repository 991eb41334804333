package io.sysbox.common.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A daemon's RUN_DIR/*.pid, locked for as long as it runs. The lock, not the file's existence,
 * says whether the daemon is running: one killed with -9 leaves the file but the kernel drops
 * its lock, so the next one starts without manual cleanup.
 */
public final class PidFileLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFileLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Another instance holds the lock; the message names its pid and how to proceed. */
    public static final class AlreadyRunningException extends IOException {
        AlreadyRunningException(String message) {
            super(message);
        }
    }

    /** Takes the lock and writes our pid; daemon names the program in the message. */
    public static PidFileLock acquire(Path file, String daemon) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String pid = readPid(channel);
            channel.close();
            throw new AlreadyRunningException("another " + daemon + " (pid " + pid + ") is running with run dir "
                    + file.getParent() + "; stop it first, or give this one another --run-dir");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        return new PidFileLock(file, channel, lock);
    }

    private static String readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return pid.isEmpty() ? "unknown" : pid;
    }

    @Override
    public void close() throws IOException {
        // Removed while still locked, so a starting daemon never sees it unlocked but stale.
        Files.deleteIfExists(file);
        lock.release();
        channel.close();
    }
}
