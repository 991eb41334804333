package io.sysbox.mgr.idrange;

import io.sysbox.mgr.durable.RecordDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One durable JSON record per prepared container under DATA_ROOT/idranges/ID.json. A record
 * is written before Prepare answers and deleted only after its mounts are gone, so whatever
 * way the manager dies (kill -9 included), the next one never hands out a range in use.
 */
public final class AllocationStore {
    private static final RecordDirectory.Refusal<AllocationRecord> REFUSAL = new RecordDirectory.Refusal<>(
            "id allocation record", "container", record -> " (" + record.id() + ")");

    private final RecordDirectory<AllocationRecord> records;

    public AllocationStore(Path dir) throws IOException {
        this.records = new RecordDirectory<>(dir, AllocationRecord.class, AllocationRecord::id,
                record -> record.uid() != null && record.gid() != null);
    }

    public Path dir() {
        return records.dir();
    }

    /**
     * Every record on disk. A record that cannot be read stops the start-up: guessing which ids
     * it held could hand them to a second container.
     */
    public List<AllocationRecord> loadAll() throws IOException {
        return records.loadAll(REFUSAL);
    }

    public void save(AllocationRecord record) throws IOException {
        records.save(record);
    }

    public void delete(String id) throws IOException {
        records.delete(id);
    }
}
