package io.sysbox.common.channel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer that breaks the framing gets told why (when it can be) and the server serves the next one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramedServerTest {
    private Path dir;
    private FramedServer server;
    private final List<Throwable> internal = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("framed-");
        server = new FramedServer(dir.resolve("s.sock"), () -> (method, request) -> request, internal::add);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        Files.deleteIfExists(dir);
    }

    private SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        return channel;
    }

    private void assertStillServing() throws IOException {
        byte[] echo = new FramedClient(dir.resolve("s.sock")).call((byte) 3, "ping".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("ping".getBytes(StandardCharsets.UTF_8), echo);
    }

    @Test
    void anImpossibleLengthIsAnsweredWithAnErrorFrameThenTheConnectionEnds() throws IOException {
        for (int length : new int[] {0, -1, (16 << 20) + 1}) {
            try (SocketChannel channel = connect()) {
                channel.write(ByteBuffer.allocate(4).putInt(length).flip());
                Frame answer = Frame.read(channel);
                assertEquals(Frame.ERROR, answer.tag());
                String message = new String(answer.payload(), StandardCharsets.UTF_8);
                assertTrue(message.contains(Integer.toUnsignedString(length) + " bytes") && message.contains("1 to 16 MiB"),
                        message);
                assertNull(Frame.read(channel), "the server closes a stream it cannot resynchronise");
            }
        }
        assertStillServing();
    }

    @Test
    void aFrameCutShortEndsOnlyItsConnection() throws IOException {
        try (SocketChannel channel = connect()) {
            channel.write(ByteBuffer.allocate(14).putInt(1000).put((byte) 3).put(new byte[9]).flip());
        }
        assertStillServing();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (internal.isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
        assertTrue(internal.getFirst().getMessage().contains("mid-frame"), internal.toString());
    }

    /** A peer stuck half-way through a frame holds only its own connection. */
    @Test
    void aStalledPeerBlocksNobodyElse() throws IOException {
        try (SocketChannel stalled = connect()) {
            stalled.write(ByteBuffer.allocate(5).putInt(1 << 20).put((byte) 3).flip());
            assertStillServing();
        }
    }
}
