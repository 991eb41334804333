package io.sysbox.fs.seccomp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The string arguments of an intercepted call, read from the caller's memory (/proc/TID/mem).
 * What is read may be changed by another thread of the caller before the kernel would read it;
 * for a call sysbox-fs carries out, what it read is what it does, and the call's notification
 * is checked to be still pending afterwards (the thread and its memory are the same).
 */
final class CallerMemory implements AutoCloseable {
    /** PATH_MAX, and what a mount's data page may hold. */
    static final int MAX_STRING = 4096;

    private final FileChannel mem;

    CallerMemory(int tid) throws IOException {
        this.mem = FileChannel.open(Path.of("/proc", Integer.toString(tid), "mem"), StandardOpenOption.READ);
    }

    /** The NUL-terminated string at ADDRESS; null for a null pointer. */
    String string(long address) throws IOException {
        if (address == 0) return null;
        ByteBuffer buffer = ByteBuffer.allocate(MAX_STRING);
        // Reads stop short at the end of a mapping; what was read may hold the terminator already.
        while (buffer.hasRemaining()) {
            int n = mem.read(buffer, address + buffer.position());
            if (n <= 0) break;
            for (int i = buffer.position() - n; i < buffer.position(); i++) {
                if (buffer.get(i) == 0) return new String(buffer.array(), 0, i, StandardCharsets.UTF_8);
            }
        }
        throw new IOException("no string of at most " + MAX_STRING + " bytes at 0x" + Long.toHexString(address));
    }

    @Override
    public void close() throws IOException {
        mem.close();
    }
}
