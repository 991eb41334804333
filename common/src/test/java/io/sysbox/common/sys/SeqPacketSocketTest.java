package io.sysbox.common.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeqPacketSocketTest {
    @TempDir
    Path dir;

    @Test
    void aPassedDescriptorIsTheSameOpenFileAndOutlivesTheSendersCopy() throws Exception {
        Path file = dir.resolve("data");
        Files.writeString(file, "kept");
        Path path = dir.resolve("s.sock");
        try (SeqPacketSocket listener = SeqPacketSocket.listen(path, 1);
             SeqPacketSocket client = SeqPacketSocket.connect(path);
             SeqPacketSocket server = listener.accept()) {
            int fd = FileDescriptors.openReadOnly(file.toString());
            client.send("one".getBytes(StandardCharsets.UTF_8), OptionalInt.of(fd));
            FileDescriptors.close(fd);
            SeqPacketSocket.Message message = server.receive(100);
            assertEquals("one", new String(message.data(), StandardCharsets.UTF_8));
            assertTrue(message.fd().isPresent(), "the descriptor came with the message");
            int received = message.fd().getAsInt();
            try {
                assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + received)));
                assertEquals("kept", Files.readString(Path.of("/proc/self/fd/" + received)));
            } finally {
                FileDescriptors.close(received);
            }
        }
    }

    @Test
    void messagesKeepTheirBoundariesAndEndOfStreamIsEmpty() throws Exception {
        Path path = dir.resolve("b.sock");
        try (SeqPacketSocket listener = SeqPacketSocket.listen(path, 1)) {
            SeqPacketSocket client = SeqPacketSocket.connect(path);
            try (SeqPacketSocket server = listener.accept()) {
                client.send(new byte[] {1, 2}, OptionalInt.empty());
                client.send(new byte[] {3}, OptionalInt.empty());
                assertArrayEquals(new byte[] {1, 2}, server.receive(100).data());
                SeqPacketSocket.Message second = server.receive(100);
                assertArrayEquals(new byte[] {3}, second.data());
                assertTrue(second.fd().isEmpty());
                assertEquals(0, server.peer().uid(), "the test runs as root, and so does its peer");
                assertEquals(ProcessHandle.current().pid(), server.peer().pid());
                client.close();
                assertEquals(0, server.receive(100).data().length, "closed: an empty message");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void nobodyListeningIsConnectionRefusedAndAMissingSocketIsENOENT() throws Exception {
        ErrnoException missing = assertThrows(ErrnoException.class, () -> SeqPacketSocket.connect(dir.resolve("none")));
        assertEquals(ErrnoException.ENOENT, missing.errno());
        Path path = dir.resolve("closed.sock");
        SeqPacketSocket.listen(path, 1).close();
        ErrnoException refused = assertThrows(ErrnoException.class, () -> SeqPacketSocket.connect(path));
        assertNotEquals(ErrnoException.ENOENT, refused.errno());
        assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
    }
}
