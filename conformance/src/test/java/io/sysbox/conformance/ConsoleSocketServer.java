package io.sysbox.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What an engine's shim does with `--console-socket`: listens on a Unix socket, receives the pty
 * master the runtime sends, and reads what the container's process writes to its terminal.
 */
final class ConsoleSocketServer implements AutoCloseable {
    private final Path path;
    private final int listenFd;
    private int masterFd = -1;

    private ConsoleSocketServer(Path path, int listenFd) {
        this.path = path;
        this.listenFd = listenFd;
    }

    static ConsoleSocketServer listen(Path path) throws IOException {
        return new ConsoleSocketServer(path, UnixCalls.listen(path.toString()));
    }

    Path path() {
        return path;
    }

    /** Waits (bounded) for the runtime to connect and send the pty master. */
    void receiveMaster(Duration timeout) throws IOException {
        if (!UnixCalls.awaitReadable(listenFd, (int) timeout.toMillis())) {
            throw new IOException("nothing connected to console socket " + path + " within " + timeout);
        }
        int conn = UnixCalls.accept(listenFd);
        try {
            if (!UnixCalls.awaitReadable(conn, (int) timeout.toMillis())) {
                throw new IOException("the runtime connected to " + path + " but sent nothing within " + timeout);
            }
            masterFd = UnixCalls.receiveDescriptor(conn);
        } finally {
            UnixCalls.close(conn);
        }
    }

    /** Terminal output until MARKER appears, the terminal closes, or TIMEOUT passes. */
    String readUntil(String marker, Duration timeout) throws IOException {
        if (masterFd < 0) throw new IllegalStateException("no pty master received yet");
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text.toString().contains(marker)) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || !UnixCalls.awaitReadable(masterFd, (int) left)) break;
            int n = UnixCalls.read(masterFd, buffer);
            if (n < 0) break;
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    @Override
    public void close() throws IOException {
        UnixCalls.close(masterFd);
        UnixCalls.close(listenFd);
        Files.deleteIfExists(path);
    }
}
