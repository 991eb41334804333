package io.sysbox.mgr.idrange;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * Hands out exclusive ranges of the sysbox pools in /etc/subuid and /etc/subgid. Slot i is
 * uid pool start + i*size and gid pool start + i*size; the lowest free slot goes first, so a
 * deleted container's range is reused before the pool grows into fresh ids.
 *
 * Every mapping in use is reserved here with a reference count: allocated ones, shared ones
 * (pods, --net=container:X) and honoured ones (userns-remap). A honoured mapping normally lies
 * outside the pool and blocks nothing; if it overlaps the pool, the overlapped slots are not
 * handed out, because two containers must never share ids by accident.
 */
public final class RangeAllocator {
    private final SubidEntry uidPool;
    private final Path uidFile;
    private final SubidEntry gidPool;
    private final long rangeSize;
    private final int capacity;
    /** How many reserved mappings touch each slot. */
    private final int[] slotUse;
    private final Map<ContainerMapping, Integer> reservations = new HashMap<>();

    public RangeAllocator(SubidEntry uidPool, Path uidFile, SubidEntry gidPool, long rangeSize) {
        if (rangeSize < 65536) {
            throw new IllegalArgumentException("--subid-range-size must be at least 65536 (a container's ids 0-65535), got "
                    + rangeSize);
        }
        long slots = Math.min(uidPool.count(), gidPool.count()) / rangeSize;
        if (slots < 1) {
            throw new IllegalArgumentException("the sysbox pool " + uidPool.line() + " of " + uidFile + " / "
                    + gidPool.line() + " is smaller than one range of " + rangeSize
                    + " ids; enlarge it with --subid-pool-size or lower --subid-range-size");
        }
        this.uidPool = uidPool;
        this.uidFile = uidFile;
        this.gidPool = gidPool;
        this.rangeSize = rangeSize;
        this.capacity = (int) Math.min(slots, Integer.MAX_VALUE - 8);
        this.slotUse = new int[capacity];
    }

    public long rangeSize() {
        return rangeSize;
    }

    public int capacity() {
        return capacity;
    }

    /** Allocates the lowest free range, or preferred when it is a free slot of the pool. */
    public synchronized ContainerMapping allocate(Optional<ContainerMapping> preferred) throws PoolExhaustedException {
        int slot = preferred.map(this::slotOf).filter(s -> s >= 0 && slotUse[s] == 0).orElse(-1);
        for (int i = 0; slot < 0 && i < capacity; i++) {
            if (slotUse[i] == 0) slot = i;
        }
        if (slot < 0) {
            throw new PoolExhaustedException("id pool exhausted: " + inUse() + " ranges of " + rangeSize
                    + " ids in use in " + uidPool.line() + " of " + uidFile
                    + "; enlarge the pool with --subid-pool-size or remove containers");
        }
        ContainerMapping mapping = mappingOf(slot);
        reserveLocked(mapping);
        return mapping;
    }

    private ContainerMapping mappingOf(int slot) {
        return new ContainerMapping(new IdRange(uidPool.start() + slot * rangeSize, rangeSize),
                new IdRange(gidPool.start() + slot * rangeSize, rangeSize));
    }

    /** The mapping the next allocate() without a preference would hand out, if any is free. */
    public synchronized java.util.Optional<ContainerMapping> peekNext() {
        for (int i = 0; i < capacity; i++) {
            if (slotUse[i] == 0) return java.util.Optional.of(mappingOf(i));
        }
        return java.util.Optional.empty();
    }

    /** Marks a mapping as in use (one more reference): a restored, shared or honoured mapping. */
    public synchronized void reserve(ContainerMapping mapping) {
        reserveLocked(mapping);
    }

    /**
     * Reserves a mapping no other may touch (a container under an unmodified runtime brings its own,
     * e.g. Podman's --uidmap): refused when its uids or gids overlap any mapping in use, whether
     * allocated, honoured, shared or a pod's reservation. Free slots of the pool it overlaps are then
     * not handed out, as for any reserved mapping.
     */
    public synchronized void reserveExclusive(ContainerMapping mapping) throws RangeInUseException {
        for (ContainerMapping used : reservations.keySet()) {
            if (used.uid().overlaps(mapping.uid().hostId(), mapping.uid().end())
                    || used.gid().overlaps(mapping.gid().hostId(), mapping.gid().end())) {
                throw new RangeInUseException(mapping, used);
            }
        }
        reserveLocked(mapping);
    }

    /** Drops one reference; the range becomes free when the last one goes. */
    public synchronized void free(ContainerMapping mapping) {
        Integer count = reservations.get(mapping);
        if (count == null) return;
        if (count > 1) {
            reservations.put(mapping, count - 1);
            return;
        }
        reservations.remove(mapping);
        forEachSlot(mapping, slot -> slotUse[slot]--);
    }

    /** Slots that at least one mapping holds. */
    public synchronized int inUse() {
        int used = 0;
        for (int use : slotUse) if (use > 0) used++;
        return used;
    }

    public synchronized int references(ContainerMapping mapping) {
        return reservations.getOrDefault(mapping, 0);
    }

    private void reserveLocked(ContainerMapping mapping) {
        if (reservations.merge(mapping, 1, Integer::sum) == 1) forEachSlot(mapping, slot -> slotUse[slot]++);
    }

    /** The slot that is exactly this mapping, or -1. */
    private int slotOf(ContainerMapping mapping) {
        long offset = mapping.uid().hostId() - uidPool.start();
        if (offset < 0 || offset % rangeSize != 0 || mapping.uid().size() != rangeSize) return -1;
        long slot = offset / rangeSize;
        if (slot >= capacity || mapping.gid().hostId() != gidPool.start() + slot * rangeSize
                || mapping.gid().size() != rangeSize) {
            return -1;
        }
        return (int) slot;
    }

    /** Each slot the uid range or the gid range overlaps, once. */
    private void forEachSlot(ContainerMapping mapping, IntConsumer action) {
        BitSet slots = new BitSet();
        markSlots(slots, mapping.uid(), uidPool.start());
        markSlots(slots, mapping.gid(), gidPool.start());
        slots.stream().forEach(action);
    }

    private void markSlots(BitSet slots, IdRange range, long poolStart) {
        long poolEnd = poolStart + (long) capacity * rangeSize;
        long start = Math.max(range.hostId(), poolStart);
        long end = Math.min(range.end(), poolEnd);
        if (start >= end) return;
        slots.set((int) ((start - poolStart) / rangeSize), (int) ((end - 1 - poolStart) / rangeSize) + 1);
    }
}
