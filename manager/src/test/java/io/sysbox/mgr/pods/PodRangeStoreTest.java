package io.sysbox.mgr.pods;

import io.sysbox.mgr.idrange.IdRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reservations on disk, and what a restarted manager says of a file it cannot use. */
class PodRangeStoreTest {
    @TempDir
    Path dataRoot;

    @Test
    void aReservationOfAnotherPodStopsTheLoadNamingTheFile() throws Exception {
        Path dir = dataRoot.resolve("podranges");
        PodRangeStore store = new PodRangeStore(dir);
        store.save(new PodRangeRecord("uid-a", "ns", "a", new IdRange(196608, 65536), new IdRange(196608, 65536)));
        assertEquals(1, store.loadAll().size());
        Files.move(dir.resolve("uid-a.json"), dir.resolve("uid-b.json"));

        IOException e = assertThrows(IOException.class, store::loadAll);

        assertEquals("pod range reservation " + dir.resolve("uid-b.json") + " is incomplete or names another pod;"
                + " if its pod no longer exists, delete the file and start sysbox-mgr again", e.getMessage());
    }

    @Test
    void anUnreadableReservationStopsTheLoadNamingTheFile() throws Exception {
        Path dir = dataRoot.resolve("podranges");
        PodRangeStore store = new PodRangeStore(dir);
        Files.writeString(dir.resolve("uid-a.json"), "{\"podUid\":");

        IOException e = assertThrows(IOException.class, store::loadAll);

        assertTrue(e.getMessage().startsWith("cannot read the pod range reservation " + dir.resolve("uid-a.json")
                + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; if its pod no longer exists, delete the file and start sysbox-mgr again"),
                e.getMessage());
        store.delete("uid-a");
        assertEquals(List.of(), store.loadAll());
    }
}
