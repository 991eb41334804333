package io.sysbox.mgr.locks;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container id, so Prepare, Release and the pid watcher of one container never
 * interleave while different containers proceed in parallel. A lock lives only while someone
 * holds or waits for it, so ids of long-gone containers leave nothing behind.
 */
public final class ContainerLocks {
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Held until closed. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public Held lock(String id) {
        Entry entry = entries.compute(id, (key, existing) -> {
            Entry e = existing == null ? new Entry() : existing;
            e.users++;
            return e;
        });
        entry.lock.lock();
        return () -> {
            entry.lock.unlock();
            entries.compute(id, (key, existing) -> --existing.users == 0 ? null : existing);
        };
    }
}
