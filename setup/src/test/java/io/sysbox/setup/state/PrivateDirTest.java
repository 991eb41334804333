package io.sysbox.setup.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivateDirTest {
    @TempDir Path tmp;

    @Test
    void removesTheDirectoryAndItsFiles() throws IOException {
        Path dir = new RuntimeRoot(tmp).privateDir("c1");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("sysbox.json"), "{}");
        PrivateDir.remove(dir);
        assertFalse(Files.exists(dir));
        assertTrue(Files.isDirectory(tmp.resolve("sysbox")), "the parent stays");
    }

    @Test
    void anAbsentDirectoryIsFine() throws IOException {
        PrivateDir.remove(tmp.resolve("sysbox/none"));
    }

    @Test
    void refusesADirectoryHoldingMoreThanFiles() throws IOException {
        Path dir = tmp.resolve("c2");
        Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(dir.resolve("config.json"), "{}");
        IOException e = assertThrows(IOException.class, () -> PrivateDir.remove(dir));
        assertTrue(e.getMessage().contains("rootfs is not a regular file"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("config.json")), "nothing removed");
    }

    @Test
    void refusesAPathThatIsNotADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(IOException.class, () -> PrivateDir.remove(file));
        assertTrue(Files.exists(file));
    }

    @Test
    void theLayoutKeepsEngineStateApartFromOurs() {
        RuntimeRoot root = new RuntimeRoot(Path.of("/run/sysbox-runc"));
        assertEquals(Path.of("/run/sysbox-runc/runc"), root.engineRoot());
        assertEquals(Path.of("/run/sysbox-runc/sysbox/abc"), root.privateDir("abc"));
    }
}
