package io.sysbox.fs.emulation.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A kernel-generated file (/proc/meminfo, a cgroup's memory.stat) kept open and read again
 * from offset 0 each time: the kernel renders it afresh on every read at 0, and skipping the
 * path walk of open(2) and the close(2) makes a read about three times cheaper. Positional
 * reads make it safe to share between threads. Only for files the kernel renders as one
 * record (meminfo, stat, loadavg, cgroup and sysfs attribute files): a file of one record per
 * item, such as /proc/cpuinfo, can return a short read before its end.
 */
public final class RereadableFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;

    public RereadableFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    public Path path() {
        return path;
    }

    /** The whole content now, as Latin-1 (these files are ASCII). */
    public String read() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        long position = 0;
        while (true) {
            int n = channel.read(buffer, position);
            if (n <= 0) break;
            position += n;
            if (buffer.hasRemaining()) break; // a short read is the end: seq_file renders all that fits
            ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
            bigger.put(buffer.flip());
            buffer = bigger;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
