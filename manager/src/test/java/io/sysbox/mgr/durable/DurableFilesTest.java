package io.sysbox.mgr.durable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A replace that fails leaves the old file and no temp file, and names the file it could not write. */
class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFailedReplaceLeavesNoTempFileAndSaysWhich() throws IOException {
        Path target = Files.writeString(dir.resolve("r.json"), "old");
        // The rename fails: a non-empty directory stands where the temp file would be moved to.
        Path blocked = Files.createDirectories(dir.resolve("blocked.json"));
        Files.writeString(blocked.resolve("inside"), "x");
        IOException e = assertThrows(IOException.class, () -> DurableFiles.replace(blocked, "new".getBytes()));
        assertTrue(e.getMessage().startsWith("cannot write " + blocked), e.getMessage());
        assertFalse(Files.exists(dir.resolve("blocked.json.tmp")), "the temp file stayed");
        DurableFiles.replace(target, "new".getBytes());
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(dir.resolve("r.json.tmp")));
    }
}
