package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.fuse.FuseException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One emulation state's own values of the sysctls it may change, by path in the container's
 * tree ("proc/sys/kernel/panic"). A value is taken from the host the first time it is needed and
 * is the state's from then on. Values are immutable and replaced whole, so readers and writers
 * may run concurrently and a read always sees one whole value. Every change is reported, so a
 * restarted sysbox-fs finds the values the containers had.
 */
public final class SysctlStore {
    /** Where a value comes from before the container has one: the host's value now. */
    @FunctionalInterface
    public interface Initial {
        SysctlValue read() throws FuseException;
    }

    private final ConcurrentHashMap<String, SysctlValue> values;
    private final Consumer<SysctlStore> changed;

    /**
     * @param values  the values it starts with (saved by a previous sysbox-fs)
     * @param changed told after every change, from the changing thread
     */
    public SysctlStore(Map<String, SysctlValue> values, Consumer<SysctlStore> changed) {
        this.values = new ConcurrentHashMap<>(values);
        this.changed = changed;
    }

    /** The container's value of {@code path}, taken from {@code initial} the first time. */
    public SysctlValue get(String path, Initial initial) throws FuseException {
        SysctlValue value = values.get(path);
        if (value != null) return value;
        // Read outside the map's lock: two first readers may both read the host, one of them wins.
        SysctlValue first = initial.read();
        SysctlValue raced = values.putIfAbsent(path, first);
        if (raced != null) return raced;
        // The first value is the container's from now on, even if the host's changes later.
        changed.accept(this);
        return first;
    }

    public void set(String path, SysctlValue value) {
        values.put(path, value);
        changed.accept(this);
    }

    /**
     * Replaces the first {@code given.size()} numbers of the container's value (taken from
     * {@code initial} if it has none yet), atomically with other writers of {@code path}.
     */
    public SysctlValue replaceLeading(String path, Initial initial, List<Long> given) throws FuseException {
        get(path, initial);
        SysctlValue replaced = values.computeIfPresent(path, (key, current) -> current.withLeading(given));
        changed.accept(this);
        return replaced;
    }

    /** Every value it holds now. */
    public Map<String, SysctlValue> snapshot() {
        return Map.copyOf(values);
    }
}
