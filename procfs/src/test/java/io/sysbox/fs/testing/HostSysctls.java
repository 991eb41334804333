package io.sysbox.fs.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the host's /proc/sys files whole. A sysctl answers only the first read of an open file,
 * and Files.readString starts with a one-byte read on a file of size 0: it would see "2" of "262144".
 */
public final class HostSysctls {
    public static final Path ROOT = Path.of("/proc/sys");

    private HostSysctls() {}

    /** {@code name} ("kernel/panic") as the host shows it now, newline included. */
    public static String read(String name) throws IOException {
        try (FileChannel channel = FileChannel.open(ROOT.resolve(name), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            int n = channel.read(buffer, 0);
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
        }
    }

    /** The same through cat(1), to check a value before a test relies on it to restore the host. */
    public static String readWithCat(String name) throws IOException, InterruptedException {
        Process cat = new ProcessBuilder("cat", ROOT.resolve(name).toString()).start();
        String out = new String(cat.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (cat.waitFor() != 0) throw new IOException("cat " + ROOT.resolve(name) + " failed");
        return out;
    }
}
