package io.sysbox.mgr.idrange;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeAllocatorTest {
    private static final long SIZE = 65536;
    private static final SubidEntry UIDS = new SubidEntry("sysbox", 196608, SIZE * 4);
    private static final SubidEntry GIDS = new SubidEntry("sysbox", 1_048_576, SIZE * 4);

    private static RangeAllocator allocator() {
        return new RangeAllocator(UIDS, Path.of("/etc/subuid"), GIDS, SIZE);
    }

    @Test
    void handsOutExclusiveRangesLowestFirst() throws Exception {
        RangeAllocator allocator = allocator();
        List<ContainerMapping> mappings = new ArrayList<>();
        for (int i = 0; i < 4; i++) mappings.add(allocator.allocate(Optional.empty()));
        for (int i = 0; i < 4; i++) {
            assertEquals(new IdRange(196608 + i * SIZE, SIZE), mappings.get(i).uid());
            assertEquals(new IdRange(1_048_576 + i * SIZE, SIZE), mappings.get(i).gid());
        }
        Set<Long> starts = new HashSet<>();
        for (ContainerMapping m : mappings) {
            for (ContainerMapping other : mappings) {
                if (m != other) assertFalse(m.uid().overlaps(other.uid().hostId(), other.uid().end()));
            }
            starts.add(m.uid().hostId());
        }
        assertEquals(4, starts.size());
        assertEquals(4, allocator.inUse());
    }

    @Test
    void reusesADeletedContainersRangeFirst() throws Exception {
        RangeAllocator allocator = allocator();
        allocator.allocate(Optional.empty());
        ContainerMapping second = allocator.allocate(Optional.empty());
        allocator.allocate(Optional.empty());
        allocator.free(second);
        assertEquals(second, allocator.allocate(Optional.empty()));
    }

    @Test
    void exhaustionSaysHowManyRangesOfWhatSizeInWhichPoolAndWhatToDo() throws Exception {
        RangeAllocator allocator = allocator();
        for (int i = 0; i < 4; i++) allocator.allocate(Optional.empty());
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> allocator.allocate(Optional.empty()));
        assertEquals("id pool exhausted: 4 ranges of 65536 ids in use in sysbox:196608:262144 of /etc/subuid;"
                + " enlarge the pool with --subid-pool-size or remove containers", e.getMessage());
    }

    @Test
    void aSharedRangeIsFreedOnlyByItsLastUser() throws Exception {
        RangeAllocator allocator = allocator();
        ContainerMapping pod = allocator.allocate(Optional.empty());
        allocator.reserve(pod);
        allocator.free(pod);
        assertNotEquals(pod, allocator.allocate(Optional.empty()), "still held by the second user");
        allocator.free(pod);
        assertEquals(pod, allocator.allocate(Optional.empty()));
    }

    @Test
    void honouredMappingsOutsideThePoolConsumeNothing() throws Exception {
        RangeAllocator allocator = allocator();
        allocator.reserve(new ContainerMapping(new IdRange(100000, SIZE), new IdRange(100000, SIZE)));
        assertEquals(0, allocator.inUse());
        for (int i = 0; i < 4; i++) allocator.allocate(Optional.empty());
    }

    @Test
    void aReservedMappingThatOverlapsThePoolBlocksTheSlotsItTouches() throws Exception {
        RangeAllocator allocator = allocator();
        // Straddles slots 0 and 1 of the uid pool.
        allocator.reserve(new ContainerMapping(new IdRange(196608 + SIZE / 2, SIZE), new IdRange(50_000_000, SIZE)));
        assertEquals(2, allocator.inUse());
        assertEquals(196608 + 2 * SIZE, allocator.allocate(Optional.empty()).uid().hostId());
    }

    @Test
    void prefersTheGivenRangeWhenItIsFree() throws Exception {
        RangeAllocator allocator = allocator();
        ContainerMapping third = new ContainerMapping(new IdRange(196608 + 2 * SIZE, SIZE),
                new IdRange(1_048_576 + 2 * SIZE, SIZE));
        assertEquals(third, allocator.allocate(Optional.of(third)));
        assertEquals(196608, allocator.allocate(Optional.of(third)).uid().hostId(), "taken: lowest free instead");
    }

    @Test
    void anExclusiveMappingOverlappingAnyMappingInUseIsRefused() throws Exception {
        RangeAllocator allocator = allocator();
        ContainerMapping allocated = allocator.allocate(Optional.empty());
        ContainerMapping honoured = new ContainerMapping(new IdRange(100000, SIZE), new IdRange(100000, SIZE));
        allocator.reserve(honoured);
        // The same ids, a part of them, and gids alone overlapping: each is another container's.
        for (ContainerMapping wanted : List.of(honoured,
                new ContainerMapping(new IdRange(100000 + SIZE - 1, SIZE), new IdRange(900_000, SIZE)),
                new ContainerMapping(new IdRange(20_000_000, SIZE), new IdRange(1_048_576 + 10, SIZE)),
                allocated)) {
            RangeInUseException e = assertThrows(RangeInUseException.class, () -> allocator.reserveExclusive(wanted));
            assertTrue(e.inUse().equals(honoured) || e.inUse().equals(allocated), e.getMessage());
            assertTrue(e.getMessage().contains(wanted.toString()) && e.getMessage().contains(e.inUse().toString()),
                    e.getMessage());
        }
        assertEquals(1, allocator.references(honoured), "a refused reservation takes no reference");
        assertEquals(0, allocator.references(new ContainerMapping(new IdRange(100000 + SIZE - 1, SIZE),
                new IdRange(900_000, SIZE))));
    }

    @Test
    void anExclusiveMappingBesideTheOthersIsReservedAndBlocksThePoolSlotsItTouches() throws Exception {
        RangeAllocator allocator = allocator();
        ContainerMapping outside = new ContainerMapping(new IdRange(100000, SIZE), new IdRange(100000, SIZE));
        allocator.reserveExclusive(outside);
        assertEquals(1, allocator.references(outside));
        ContainerMapping slotOne = new ContainerMapping(new IdRange(196608 + SIZE, SIZE),
                new IdRange(1_048_576 + SIZE, SIZE));
        allocator.reserveExclusive(slotOne);
        assertEquals(1, allocator.inUse());
        assertEquals(196608, allocator.allocate(Optional.empty()).uid().hostId());
        assertEquals(196608 + 2 * SIZE, allocator.allocate(Optional.empty()).uid().hostId(), "slot 1 is the mapping's");
        allocator.free(slotOne);
        assertEquals(196608 + SIZE, allocator.allocate(Optional.empty()).uid().hostId(), "freed with it");
    }

    @Test
    void refusesRangesSmallerThanAContainersIds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RangeAllocator(UIDS, Path.of("/etc/subuid"), GIDS, 4096));
        assertTrue(e.getMessage().contains("--subid-range-size"), e.getMessage());
    }
}
