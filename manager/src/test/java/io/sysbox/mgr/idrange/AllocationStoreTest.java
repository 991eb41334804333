package io.sysbox.mgr.idrange;

import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocationStoreTest {
    private static final SubidEntry POOL = new SubidEntry("sysbox", 196608, 65536L * 8);

    @TempDir
    Path dataRoot;

    private static RangeAllocator allocator() {
        return new RangeAllocator(POOL, Path.of("/etc/subuid"), POOL, 65536);
    }

    private static AllocationRecord record(String id, ContainerMapping m, AllocationRecord.Watch watch) {
        return new AllocationRecord(id, AllocationRecord.Origin.ALLOCATED, m.uid(), m.gid(), null, "/x/" + id,
                List.of(new AllocationRecord.ShiftedMount(3, "/data/shifted/" + id + "/mounts/3")), watch);
    }

    @Test
    void aNewInstanceSeesEveryRecordAndNeverHandsOutTheirRanges() throws Exception {
        Path dir = dataRoot.resolve("idranges");
        RangeAllocator first = allocator();
        AllocationStore store = new AllocationStore(dir);
        ContainerMapping a = first.allocate(Optional.empty());
        ContainerMapping b = first.allocate(Optional.empty());
        store.save(record("a", a, new AllocationRecord.Watch(42, 12345, "/run/runc/a", "/run/sysbox-runc/sysbox/a")));
        store.save(record("b", b, null));

        // What a restarted manager does: a fresh store and allocator fed from disk.
        AllocationStore reopened = new AllocationStore(dir);
        List<AllocationRecord> loaded = reopened.loadAll();
        assertEquals(2, loaded.size());
        AllocationRecord loadedA = loaded.stream().filter(r -> r.id().equals("a")).findFirst().orElseThrow();
        assertEquals(record("a", a, new AllocationRecord.Watch(42, 12345, "/run/runc/a", "/run/sysbox-runc/sysbox/a")), loadedA);
        RangeAllocator second = allocator();
        loaded.forEach(r -> second.reserve(r.mapping()));
        ContainerMapping c = second.allocate(Optional.empty());
        assertNotEquals(a, c);
        assertNotEquals(b, c);
        assertEquals(196608 + 2 * 65536, c.uid().hostId());
    }

    @Test
    void deleteRemovesTheRecord() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        ContainerMapping m = allocator().allocate(Optional.empty());
        store.save(record("gone", m, null));
        store.delete("gone");
        store.delete("gone");
        assertTrue(store.loadAll().isEmpty());
        assertFalse(Files.exists(store.dir().resolve("gone.json")));
    }

    @Test
    void anInterruptedWriteLeavesThePreviousRecordInForce() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        ContainerMapping m = allocator().allocate(Optional.empty());
        store.save(record("c", m, null));
        Files.writeString(store.dir().resolve("c.json.tmp"), "{\"id\":\"c\",\"uid\":{\"hos");
        List<AllocationRecord> loaded = store.loadAll();
        assertEquals(List.of(record("c", m, null)), loaded);
        assertFalse(Files.exists(store.dir().resolve("c.json.tmp")), "stale temp file removed");
    }

    @Test
    void anUnreadableRecordStopsTheLoadWithAMessageNamingIt() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        Files.writeString(store.dir().resolve("bad.json"), "not json");
        IOException e = assertThrows(IOException.class, store::loadAll);
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("delete the file"), e.getMessage());
    }

    @Test
    void aRecordNamingAnotherContainerStopsTheLoadWithAMessageNamingBoth() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        store.save(record("c", allocator().allocate(Optional.empty()), null));
        Files.move(store.dir().resolve("c.json"), store.dir().resolve("d.json"));
        IOException e = assertThrows(IOException.class, store::loadAll);
        assertEquals("id allocation record " + store.dir().resolve("d.json") + " is incomplete or names another"
                + " container (c); if its container no longer exists, delete the file and start sysbox-mgr again",
                e.getMessage());
    }

    @Test
    void theStoreDirectoryIsPrivate() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.dir())));
    }

    @Test
    void recordsOfAnOlderManagerStillLoadAndOverlayRecordsRoundTrip() throws Exception {
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        // Written by a manager from before overlay rootfs shifting: no "overlay", no "pending".
        Files.writeString(store.dir().resolve("old.json"), """
                {"id":"old","origin":"ALLOCATED","uid":{"hostId":196608,"size":65536},
                 "gid":{"hostId":196608,"size":65536},"rootfs":"/data/shifted/old/rootfs","mounts":[]}
                """);
        AllocationRecord old = store.loadAll().getFirst();
        assertEquals(new AllocationRecord("old", AllocationRecord.Origin.ALLOCATED, new IdRange(196608, 65536),
                new IdRange(196608, 65536), null, "/data/shifted/old/rootfs", List.of(), null), old);
        assertEquals(null, old.overlay());
        assertFalse(old.pending());
        store.delete("old");

        ContainerMapping m = allocator().allocate(Optional.empty());
        AllocationRecord lent = new AllocationRecord("o", AllocationRecord.Origin.ALLOCATED, m.uid(), m.gid(), null,
                "/data/shifted/o/rootfs", List.of(), null, new AllocationRecord.ShiftedOverlay(
                        List.of("/docker/overlay2/b/diff", "/docker/overlay2/a/diff"), "/docker/overlay2/c/diff",
                        "/docker/overlay2/c/work"), true);
        store.save(lent);
        assertEquals(List.of(lent), store.loadAll());
    }
}
