package io.sysbox.mgr.specialdirs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.mgr.durable.DurableFiles;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * DATA_ROOT/specialdirs/ID.json, written durably (temp file, fsync, rename, fsync of the
 * directory): a record is saved before its dirs are made and deleted only after they are
 * gone, so every special dir on disk has a record that says what to do with it.
 */
final class RecordStore {
    private static final String SUFFIX = ".json", TEMP_SUFFIX = ".json.tmp";

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    RecordStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** Every readable record; an unreadable one is reported and skipped (its dirs are kept, not guessed at). */
    List<SpecialDirsRecord> loadAll(Logger log) throws IOException {
        List<SpecialDirsRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    // A write that never reached its rename: the record it meant to replace (if any) stands.
                    Files.deleteIfExists(file);
                    continue;
                }
                if (!name.endsWith(SUFFIX)) continue;
                String expected = name.substring(0, name.length() - SUFFIX.length());
                try {
                    SpecialDirsRecord record = json.readValue(file.toFile(), SpecialDirsRecord.class);
                    if (!expected.equals(record.id()) || record.uid() == null || record.gid() == null || record.rootfs() == null) {
                        throw new IOException("incomplete, or names container " + record.id());
                    }
                    records.add(record);
                } catch (IOException e) {
                    log.error("cannot read special-dir record {}: {}; the special dirs of container {} are kept as they"
                            + " are: delete them and the record by hand if the container no longer exists", file,
                            e.getMessage(), expected);
                }
            }
        }
        return records;
    }

    boolean exists(String id) {
        return Files.exists(fileOf(id));
    }

    void save(SpecialDirsRecord record) throws IOException {
        // DurableFiles writes <id>.json.tmp first: the TEMP_SUFFIX that loading skips.
        DurableFiles.replace(fileOf(record.id()), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }

    void delete(String id) throws IOException {
        DurableFiles.delete(fileOf(id));
    }

    private Path fileOf(String id) {
        return dir.resolve(id + SUFFIX);
    }
}
