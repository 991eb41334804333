package io.sysbox.mgr.idrange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubidFileTest {
    private static final long POOL = 65536L * 16;

    @TempDir
    Path dir;

    @Test
    void createsThePoolInAnEmptyFileAboveTheHostsOwnUsers() throws IOException {
        Path file = Files.writeString(dir.resolve("subuid"), "");
        SubidFile.Ensured ensured = new SubidFile(file).ensure("sysbox", POOL, 0);
        assertEquals(SubidFile.Action.CREATED, ensured.action());
        assertEquals(new SubidEntry("sysbox", 131072, POOL), ensured.entry());
        assertEquals("sysbox:131072:" + POOL + "\n", Files.readString(file));
    }

    @Test
    void createsAMissingFileWithMode0644() throws IOException {
        Path file = dir.resolve("subgid");
        new SubidFile(file).ensure("sysbox", POOL, 0);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1, new SubidFile(file).entries().size());
    }

    @Test
    void appendsAfterEveryEntryAlignedAndKeepsOtherLinesByteForByte() throws IOException {
        String original = "# users\nalice:100000:65536\n\nbob:300000:70000 \nbroken line\ncarol:165536:65536";
        Path file = Files.writeString(dir.resolve("subuid"), original);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        SubidFile.Ensured ensured = new SubidFile(file).ensure("sysbox", POOL, 0);
        // bob ends at 370000; the next multiple of 65536 is 393216.
        assertEquals(393216, ensured.entry().start());
        assertEquals(original + "\nsysbox:393216:" + POOL + "\n", Files.readString(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void respectsNotBelowSoSubuidAndSubgidPoolsCanStartTogether() throws IOException {
        Path file = Files.writeString(dir.resolve("subgid"), "alice:100000:65536\n");
        assertEquals(1_048_576, new SubidFile(file).ensure("sysbox", POOL, 1_000_000).entry().start());
    }

    @Test
    void findsAnExistingLargeEnoughPoolWithoutWriting() throws IOException {
        String original = "sysbox:655360:" + (POOL * 2) + "\nalice:100000:65536\n";
        Path file = Files.writeString(dir.resolve("subuid"), original);
        SubidFile.Ensured ensured = new SubidFile(file).ensure("sysbox", POOL, 0);
        assertEquals(SubidFile.Action.FOUND, ensured.action());
        assertEquals(655360, ensured.entry().start());
        assertEquals(original, Files.readString(file));
    }

    @Test
    void extendsASmallPoolInPlaceWhenNothingFollowsIt() throws IOException {
        Path file = Files.writeString(dir.resolve("subuid"), "alice:100000:65536\nsysbox:196608:65536\n# end\n");
        SubidFile.Ensured ensured = new SubidFile(file).ensure("sysbox", POOL, 0);
        assertEquals(SubidFile.Action.EXTENDED, ensured.action());
        assertEquals(new SubidEntry("sysbox", 196608, POOL), ensured.entry());
        assertEquals("alice:100000:65536\nsysbox:196608:" + POOL + "\n# end\n", Files.readString(file));
    }

    @Test
    void keepsASmallPoolThatCannotGrowWithoutOverlappingAnotherEntry() throws IOException {
        String original = "sysbox:196608:65536\nalice:262144:65536\n";
        Path file = Files.writeString(dir.resolve("subuid"), original);
        SubidFile.Ensured ensured = new SubidFile(file).ensure("sysbox", POOL, 0);
        assertEquals(SubidFile.Action.TOO_SMALL_KEPT, ensured.action());
        assertEquals(65536, ensured.entry().count());
        assertEquals(original, Files.readString(file));
    }

    @Test
    void refusesAPoolThatWouldPassTheLastId() throws IOException {
        Path file = Files.writeString(dir.resolve("subuid"), "big:100000:4294000000\n");
        IOException e = assertThrows(IOException.class, () -> new SubidFile(file).ensure("sysbox", POOL, 0));
        assertTrue(e.getMessage().contains("--subid-pool-size"), e.getMessage());
        assertEquals("big:100000:4294000000\n", Files.readString(file));
    }
}
