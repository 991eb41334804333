package io.sysbox.mgr.idrange;

import io.sysbox.mgr.durable.DurableFiles;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * One durable JSON record per prepared container under DATA_ROOT/idranges/ID.json. A record
 * is written before Prepare answers and deleted only after its mounts are gone, so whatever
 * way the manager dies (kill -9 included), the next one never hands out a range in use.
 */
public final class AllocationStore {
    private static final String SUFFIX = ".json";

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public AllocationStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    public Path dir() {
        return dir;
    }

    /**
     * Every record on disk. A record that cannot be read stops the start-up: guessing which ids
     * it held could hand them to a second container.
     */
    public List<AllocationRecord> loadAll() throws IOException {
        List<AllocationRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX + ".tmp")) {
                    // A write that never reached its rename: the record it meant to replace (if any) stands.
                    Files.deleteIfExists(file);
                    continue;
                }
                if (!name.endsWith(SUFFIX)) continue;
                AllocationRecord record;
                try {
                    record = json.readValue(file.toFile(), AllocationRecord.class);
                } catch (IOException e) {
                    throw new IOException("cannot read the id allocation record " + file + ": " + e.getMessage()
                            + "; if its container no longer exists, delete the file and start sysbox-mgr again", e);
                }
                String expected = name.substring(0, name.length() - SUFFIX.length());
                if (record.id() == null || !record.id().equals(expected) || record.uid() == null || record.gid() == null) {
                    throw new IOException("id allocation record " + file + " is incomplete or names another container ("
                            + record.id() + "); if its container no longer exists, delete the file and start sysbox-mgr again");
                }
                records.add(record);
            }
        }
        return records;
    }

    public void save(AllocationRecord record) throws IOException {
        DurableFiles.replace(fileOf(record.id()), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }

    public void delete(String id) throws IOException {
        DurableFiles.delete(fileOf(id));
    }

    private Path fileOf(String id) {
        return dir.resolve(id + SUFFIX);
    }
}
