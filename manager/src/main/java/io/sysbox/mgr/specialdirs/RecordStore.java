package io.sysbox.mgr.specialdirs;

import io.sysbox.mgr.durable.RecordDirectory;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DATA_ROOT/specialdirs/ID.json, written durably (temp file, fsync, rename, fsync of the
 * directory): a record is saved before its dirs are made and deleted only after they are
 * gone, so every special dir on disk has a record that says what to do with it.
 */
final class RecordStore {
    private final RecordDirectory<SpecialDirsRecord> records;

    RecordStore(Path dir) throws IOException {
        this.records = new RecordDirectory<>(dir, SpecialDirsRecord.class, SpecialDirsRecord::id,
                record -> record.uid() != null && record.gid() != null && record.rootfs() != null);
    }

    /** Every readable record; an unreadable one is reported and skipped (its dirs are kept, not guessed at). */
    List<SpecialDirsRecord> loadAll(Logger log) throws IOException {
        List<SpecialDirsRecord> loaded = new ArrayList<>();
        for (RecordDirectory.Entry<SpecialDirsRecord> entry : records.entries()) {
            switch (entry) {
                case RecordDirectory.Read<SpecialDirsRecord> read -> loaded.add(read.record());
                case RecordDirectory.Unusable<SpecialDirsRecord> unusable -> log.error("cannot read special-dir record"
                        + " {}: {}; the special dirs of container {} are kept as they are: delete them and the record"
                        + " by hand if the container no longer exists", unusable.file(), why(unusable), unusable.key());
            }
        }
        return loaded;
    }

    private static String why(RecordDirectory.Unusable<SpecialDirsRecord> unusable) {
        return switch (unusable) {
            case RecordDirectory.Unreadable<SpecialDirsRecord> u -> u.cause().getMessage();
            case RecordDirectory.Invalid<SpecialDirsRecord> i -> "incomplete, or names container " + i.record().id();
        };
    }

    boolean exists(String id) {
        return records.exists(id);
    }

    void save(SpecialDirsRecord record) throws IOException {
        records.save(record);
    }

    void delete(String id) throws IOException {
        records.delete(id);
    }
}
