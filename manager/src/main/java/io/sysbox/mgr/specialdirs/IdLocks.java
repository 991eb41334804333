package io.sysbox.mgr.specialdirs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container id: prepare, stopped and removed (also from the removal watch) of
 * one container never interleave; different containers proceed in parallel (copies can be
 * long). A lock lives only while someone holds or waits for it.
 */
final class IdLocks {
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    Held lock(String id) {
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
