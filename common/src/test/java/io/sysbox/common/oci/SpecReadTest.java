package io.sysbox.common.oci;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Spec.read refuses before parsing: files that would block, flood the heap or nest without end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpecReadTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("spec-read-");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void aPlainSpecIsRead() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": \"1.0.2\"}");
        assertEquals("1.0.2", Spec.read(config).json().path("ociVersion").asText());
    }

    /** Opening a FIFO for reading blocks until a writer comes: it must never be opened. */
    @Test
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("config.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo failed");
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Spec.read(fifo));
        assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("not a regular file"),
                e.getMessage());
    }

    @Test
    void aDirectoryIsRefused() throws Exception {
        Path config = Files.createDirectory(dir.resolve("config.json"));
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Spec.read(config));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    /** A sparse 4 GiB file: refused after reading the limit, not after filling the heap. */
    @Test
    void aHugeFileIsRefusedNamingTheLimit() throws Exception {
        Path config = dir.resolve("config.json");
        try (RandomAccessFile file = new RandomAccessFile(config.toFile(), "rw")) {
            file.setLength(4L << 30);
        }
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Spec.read(config));
        assertTrue(e.getMessage().contains("larger than 16 MiB") && e.getMessage().contains(Long.toString(4L << 30)),
                e.getMessage());
    }

    @Test
    void aFileJustAtTheLimitIsParsed() throws Exception {
        Path config = dir.resolve("config.json");
        String head = "{\"ociVersion\": \"1.0.2\", \"pad\": \"";
        int pad = (int) Spec.MAX_CONFIG_BYTES - head.length() - 2;
        Files.writeString(config, head + "x".repeat(pad) + "\"}");
        assertEquals(Spec.MAX_CONFIG_BYTES, Files.size(config));
        assertEquals(pad, Spec.read(config).json().path("pad").asText().length());
    }

    /** Jackson's nesting limit, not a StackOverflowError of the reading thread. */
    @Test
    void deepNestingIsMalformed() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"),
                "{\"a\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Spec.read(config));
        assertTrue(e.getMessage().contains("malformed JSON") && e.getMessage().contains("nesting"), e.getMessage());
    }
}
