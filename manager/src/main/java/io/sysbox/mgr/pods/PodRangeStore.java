package io.sysbox.mgr.pods;

import io.sysbox.mgr.durable.RecordDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One durable JSON file per pod reservation, DATA_ROOT/podranges/UID.json. */
public final class PodRangeStore {
    private static final RecordDirectory.Refusal<PodRangeRecord> REFUSAL = new RecordDirectory.Refusal<>(
            "pod range reservation", "pod", record -> "");

    private final RecordDirectory<PodRangeRecord> records;

    public PodRangeStore(Path dir) throws IOException {
        this.records = new RecordDirectory<>(dir, PodRangeRecord.class, PodRangeRecord::podUid,
                record -> record.uid() != null && record.gid() != null);
    }

    /** Every reservation; one that cannot be read stops the start (its ids could be handed out twice). */
    public List<PodRangeRecord> loadAll() throws IOException {
        return records.loadAll(REFUSAL);
    }

    public void save(PodRangeRecord record) throws IOException {
        records.save(record);
    }

    public void delete(String podUid) throws IOException {
        records.delete(podUid);
    }
}
