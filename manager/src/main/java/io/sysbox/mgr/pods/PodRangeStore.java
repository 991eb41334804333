package io.sysbox.mgr.pods;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.mgr.durable.DurableFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** One durable JSON file per pod reservation, as AllocationStore keeps containers' records. */
public final class PodRangeStore {
    private static final String SUFFIX = ".json";
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public PodRangeStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** Every reservation; one that cannot be read stops the start (its ids could be handed out twice). */
    public List<PodRangeRecord> loadAll() throws IOException {
        List<PodRangeRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX + ".tmp")) {
                    Files.deleteIfExists(file);
                    continue;
                }
                if (!name.endsWith(SUFFIX)) continue;
                PodRangeRecord record;
                try {
                    record = json.readValue(file.toFile(), PodRangeRecord.class);
                } catch (IOException e) {
                    throw new IOException("cannot read the pod range reservation " + file + ": " + e.getMessage()
                            + "; if its pod no longer exists, delete the file and start sysbox-mgr again", e);
                }
                if (record.podUid() == null || !name.equals(record.podUid() + SUFFIX) || record.uid() == null
                        || record.gid() == null) {
                    throw new IOException("pod range reservation " + file + " is incomplete or names another pod;"
                            + " if its pod no longer exists, delete the file and start sysbox-mgr again");
                }
                records.add(record);
            }
        }
        return records;
    }

    public void save(PodRangeRecord record) throws IOException {
        DurableFiles.replace(dir.resolve(record.podUid() + SUFFIX), json.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(record));
    }

    public void delete(String podUid) throws IOException {
        DurableFiles.delete(dir.resolve(podUid + SUFFIX));
    }
}
