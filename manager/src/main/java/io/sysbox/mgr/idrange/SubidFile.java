package io.sysbox.mgr.idrange;

import io.sysbox.mgr.durable.DurableFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * /etc/subuid or /etc/subgid ({@code name:start:count} lines). The manager takes its pool from
 * the {@code sysbox} entry and adds it when missing. Other lines (users' ranges, comments)
 * belong to the administrator and shadow-utils: they are kept byte for byte.
 */
public final class SubidFile {
    /** Pools start on a 65536 boundary so a container's range lines up with its ids' high half. */
    public static final long ALIGNMENT = 65536;
    /** useradd's SUB_UID_MIN: below it live the host's own users. */
    static final long LOWEST_START = 100_000;
    /** uid_t is 32 bits and (uid_t)-1 means "no id". */
    static final long ID_LIMIT = 0xFFFF_FFFFL;

    private final Path path;

    public SubidFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** What {@link #ensure} found or did. */
    public enum Action { FOUND, CREATED, EXTENDED, TOO_SMALL_KEPT }

    public record Ensured(SubidEntry entry, Action action) {}

    /** Well-formed entries; comments, blank and malformed lines are skipped (and kept in the file). */
    public List<SubidEntry> entries() throws IOException {
        List<SubidEntry> entries = new ArrayList<>();
        for (String line : lines()) parse(line).ifPresent(entries::add);
        return entries;
    }

    public Optional<SubidEntry> find(String name) throws IOException {
        return entries().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** End of the highest range that does not belong to name: a new pool must start at or after it. */
    public long endOfEntriesOtherThan(String name) throws IOException {
        return entries().stream().filter(e -> !e.name().equals(name)).mapToLong(SubidEntry::end).max().orElse(0);
    }

    /**
     * Makes sure name owns a pool of at least poolSize ids. A missing entry is appended after
     * every existing range (and after notBelow, so subuid and subgid pools can share a start),
     * aligned to {@link #ALIGNMENT}. A smaller entry is grown in place when that overlaps no
     * other range; otherwise it is kept as it is (TOO_SMALL_KEPT) rather than moved, since
     * running containers may use it.
     */
    public Ensured ensure(String name, long poolSize, long notBelow) throws IOException {
        if (poolSize <= 0) throw new IllegalArgumentException("pool size must be positive, got " + poolSize);
        List<String> lines = lines();
        List<SubidEntry> entries = new ArrayList<>();
        int index = -1;
        for (int i = 0; i < lines.size(); i++) {
            Optional<SubidEntry> entry = parse(lines.get(i));
            if (entry.isEmpty()) continue;
            if (index < 0 && entry.get().name().equals(name)) index = i;
            entries.add(entry.get());
        }
        if (index >= 0) {
            SubidEntry current = parse(lines.get(index)).orElseThrow();
            if (current.count() >= poolSize) return new Ensured(current, Action.FOUND);
            long newEnd = current.start() + poolSize;
            boolean blocked = newEnd > ID_LIMIT || entries.stream()
                    .filter(e -> !e.equals(current))
                    .anyMatch(e -> e.start() < newEnd && current.start() < e.end());
            if (blocked) return new Ensured(current, Action.TOO_SMALL_KEPT);
            SubidEntry grown = new SubidEntry(name, current.start(), poolSize);
            lines.set(index, grown.line());
            write(lines);
            return new Ensured(grown, Action.EXTENDED);
        }
        long after = Math.max(Math.max(notBelow, LOWEST_START),
                entries.stream().mapToLong(SubidEntry::end).max().orElse(0));
        long start = (after + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (start + poolSize > ID_LIMIT) {
            throw new IOException("no room for a " + poolSize + "-id sysbox pool in " + path
                    + ": existing ranges end at " + after + " and ids stop at " + ID_LIMIT
                    + "; choose a smaller --subid-pool-size or add a '" + name + ":START:COUNT' line yourself");
        }
        SubidEntry created = new SubidEntry(name, start, poolSize);
        lines.add(created.line());
        write(lines);
        return new Ensured(created, Action.CREATED);
    }

    private List<String> lines() throws IOException {
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            // A trailing newline yields one empty last element: it is the terminator, not a line.
            if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
            return lines;
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        }
    }

    private static Optional<SubidEntry> parse(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) return Optional.empty();
        String[] fields = trimmed.split(":");
        if (fields.length != 3 || fields[0].isEmpty()) return Optional.empty();
        try {
            long start = Long.parseLong(fields[1]);
            long count = Long.parseLong(fields[2]);
            if (start < 0 || count <= 0) return Optional.empty();
            return Optional.of(new SubidEntry(fields[0], start, count));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Replaces the file atomically so a crash leaves either the old or the new content. */
    private void write(List<String> lines) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Set<PosixFilePermission> mode = Files.exists(path)
                ? Files.getPosixFilePermissions(path) : PosixFilePermissions.fromString("rw-r--r--");
        Path temp = dir.resolve("." + path.getFileName() + ".sysbox-tmp");
        StringBuilder text = new StringBuilder();
        for (String line : lines) text.append(line).append('\n');
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) out.write(buffer);
            out.force(true);
        }
        Files.setPosixFilePermissions(temp, mode);
        try {
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        DurableFiles.syncDirectory(dir);
    }
}
