package io.sysbox.mgr.durable;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A private directory of durable JSON records, one file KEY.json a record: written whole before
 * the manager acts on it (DurableFiles), read back all at once when it starts, deleted when what
 * it describes is gone. The stores differ only in what a file they cannot use means (stop the
 * start, or report it and go on), so {@link #entries()} answers every file and leaves them the choice.
 *
 * @param <R> the record type, written and read by Jackson; fields a later manager adds are ignored
 */
public final class RecordDirectory<R> {
    private static final String SUFFIX = ".json";
    /** What DurableFiles.replace writes before its rename. */
    private static final String TEMP_SUFFIX = SUFFIX + ".tmp";

    private final Path dir;
    private final Class<R> type;
    private final Function<R, String> keyOf;
    private final Predicate<R> complete;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What one file of the directory holds. */
    public sealed interface Entry<R> permits Read, Unusable {
        Path file();

        /** The key the file's name gives. */
        String key();
    }

    /** A record whose key is its file's and that has every field it needs. */
    public record Read<R>(Path file, String key, R record) implements Entry<R> {}

    /** A file that is no record of this directory: what it held is unknown, and nothing is to be guessed from it. */
    public sealed interface Unusable<R> extends Entry<R> permits Unreadable, Invalid {}

    /** Not a record at all: no JSON, the wrong shape, or an I/O error. */
    public record Unreadable<R>(Path file, String key, IOException cause) implements Unusable<R> {}

    /** A record that is incomplete or names another key than its file's. */
    public record Invalid<R>(Path file, String key, R record) implements Unusable<R> {}

    /**
     * What the manager says when an unusable file stops its start: it names the file and says how to go on.
     *
     * @param what  the record's name in the messages ("id allocation record")
     * @param owner what a record belongs to ("container")
     * @param named what an invalid record's message adds after "names another OWNER" (may be "")
     */
    public record Refusal<R>(String what, String owner, Function<R, String> named) {
        IOException of(Unusable<R> unusable) {
            String advice = "; if its " + owner + " no longer exists, delete the file and start sysbox-mgr again";
            return switch (unusable) {
                case Unreadable<R> u -> new IOException("cannot read the " + what + " " + u.file() + ": "
                        + u.cause().getMessage() + advice, u.cause());
                case Invalid<R> i -> new IOException(what + " " + i.file() + " is incomplete or names another "
                        + owner + named.apply(i.record()) + advice);
            };
        }
    }

    /**
     * Creates dir (rwx------: records name other users' ids and paths) unless it exists.
     *
     * @param keyOf    a record's key, its file's name without ".json"
     * @param complete whether a record read back has every field its store needs
     */
    public RecordDirectory(Path dir, Class<R> type, Function<R, String> keyOf, Predicate<R> complete)
            throws IOException {
        this.dir = dir;
        this.type = type;
        this.keyOf = keyOf;
        this.complete = complete;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    public Path dir() {
        return dir;
    }

    /** Every file of the directory, in no order; a temp file of a write that never reached its rename is removed. */
    public List<Entry<R>> entries() throws IOException {
        List<Entry<R>> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    // The record it meant to replace (if any) stands.
                    Files.deleteIfExists(file);
                    continue;
                }
                if (!name.endsWith(SUFFIX)) continue;
                entries.add(entry(file, name.substring(0, name.length() - SUFFIX.length())));
            }
        }
        return entries;
    }

    private Entry<R> entry(Path file, String key) {
        R record;
        try {
            record = json.readValue(file.toFile(), type);
        } catch (IOException e) {
            return new Unreadable<>(file, key, e);
        }
        if (record == null) return new Unreadable<>(file, key, new IOException("the file holds JSON null"));
        if (!key.equals(keyOf.apply(record)) || !complete.test(record)) return new Invalid<>(file, key, record);
        return new Read<>(file, key, record);
    }

    /**
     * Every record, for a store whose start must stop at a file it cannot use: guessing which ids
     * such a file held could hand them out twice.
     */
    public List<R> loadAll(Refusal<R> refusal) throws IOException {
        List<R> records = new ArrayList<>();
        for (Entry<R> entry : entries()) {
            switch (entry) {
                case Read<R> read -> records.add(read.record());
                case Unusable<R> unusable -> throw refusal.of(unusable);
            }
        }
        return records;
    }

    public boolean exists(String key) {
        return Files.exists(fileOf(key));
    }

    public void save(R record) throws IOException {
        DurableFiles.replace(fileOf(keyOf.apply(record)),
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
    }

    public void delete(String key) throws IOException {
        DurableFiles.delete(fileOf(key));
    }

    private Path fileOf(String key) {
        return dir.resolve(key + SUFFIX);
    }
}
