package io.sysbox.conformance.docker;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away host user for dockerd's {@code userns-remap}, with one subordinate uid and gid
 * range of {@link #SIZE} ids. dockerd reads only the host's /etc/passwd, /etc/group,
 * /etc/subuid and /etc/subgid, so the user and its ranges must live there for the duration of
 * a suite; {@link #close()} removes exactly what {@link #create} added and leaves every other
 * byte of those files as it was.
 *
 * @param start first host id of the range (the container's root, for uids and gids alike)
 * @param subuidLine the exact text appended to /etc/subuid (a leading newline when the file lacked a final one)
 * @param subgidLine the same for /etc/subgid
 */
public record RemapUser(String name, long start, String subuidLine, String subgidLine, CommandRunner runner)
        implements AutoCloseable {
    public static final long SIZE = 65536;
    public static final Path SUBUID = Path.of("/etc/subuid");
    public static final Path SUBGID = Path.of("/etc/subgid");
    /**
     * Above every range a suite's manager hands out: its sysbox pool (in the manager's own
     * copies of the files) starts near 100000 and holds 4096 ranges of 65536 ids by default.
     */
    static final long LOWEST_START = 1L << 30;
    /** Random slots above the lowest start, so two runs of the same suite do not pick one range. */
    private static final int SPREAD = 1024;
    private static final long ID_LIMIT = 0xFFFF_FFFFL;

    /**
     * Adds a system user {@code sysbox-remap-XXXXXX} (with its own group) and a range that
     * overlaps nothing in /etc/subuid and /etc/subgid.
     */
    public static RemapUser create(CommandRunner runner) throws IOException {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "sysbox-remap-" + HexFormat.of().formatHex(random);
        long start = freeStart();
        CommandResult add = runner.run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                "--user-group", name));
        if (!add.succeeded()) throw new IllegalStateException("cannot create the userns-remap user " + name + ":\n" + add.describe());
        String entry = name + ":" + start + ":" + SIZE;
        String uidLine = null;
        String gidLine = null;
        try {
            uidLine = append(SUBUID, entry);
            gidLine = append(SUBGID, entry);
            return new RemapUser(name, start, uidLine, gidLine, runner);
        } catch (IOException | RuntimeException e) {
            new RemapUser(name, start, uidLine, gidLine, runner).undo().forEach(p -> e.addSuppressed(new IllegalStateException(p)));
            throw e;
        }
    }

    /** An aligned start past every existing entry of both files and past {@link #LOWEST_START}. */
    private static long freeStart() throws IOException {
        long end = LOWEST_START;
        for (Path file : List.of(SUBUID, SUBGID)) {
            if (!Files.exists(file)) continue;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.strip().split(":");
                if (line.strip().startsWith("#") || f.length != 3) continue;
                try {
                    end = Math.max(end, Long.parseLong(f[1]) + Long.parseLong(f[2]));
                } catch (NumberFormatException e) {
                    // Not a range (shadow-utils ignores such lines too).
                }
            }
        }
        long aligned = (end + SIZE - 1) / SIZE * SIZE;
        long start = aligned + ThreadLocalRandom.current().nextInt(SPREAD) * SIZE;
        if (start + SIZE > ID_LIMIT) {
            throw new IllegalStateException("no room for a userns-remap range above " + end + " in " + SUBUID + "/" + SUBGID);
        }
        return start;
    }

    /** Appends entry as a line; returns exactly what was appended. */
    private static String append(Path file, String entry) throws IOException {
        String before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        String added = (before.isEmpty() || before.endsWith("\n") ? "" : "\n") + entry + "\n";
        replace(file, before + added);
        return added;
    }

    /**
     * Writes content through a sibling temp file and a rename, so a dockerd or shadow-utils
     * reading the file meanwhile never sees it half-written; mode and owner are kept.
     */
    private static void replace(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".sysbox-it-" + ProcessHandle.current().pid());
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            if (Files.exists(file)) {
                PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
                PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
                view.setOwner(attributes.owner());
                view.setGroup(attributes.group());
                view.setPermissions(attributes.permissions());
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Takes the added text out of file: from the end when nothing was appended since, else the
     * entry's own line wherever it now is.
     */
    private static void remove(Path file, String added) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        String line = added.startsWith("\n") ? added.substring(1) : added;
        String without;
        if (content.endsWith(added)) {
            without = content.substring(0, content.length() - added.length());
        } else if (content.startsWith(line)) {
            without = content.substring(line.length());
        } else if (content.contains("\n" + line)) {
            int at = content.indexOf("\n" + line) + 1;
            without = content.substring(0, at) + content.substring(at + line.length());
        } else {
            throw new IllegalStateException(file + " no longer holds the line " + line.strip() + " this suite added");
        }
        replace(file, without);
    }

    /** Removes the sub id lines first (so userdel finds none to rewrite), then the user and its group. */
    private List<String> undo() {
        List<String> problems = new ArrayList<>();
        removeQuietly(SUBUID, subuidLine, problems);
        removeQuietly(SUBGID, subgidLine, problems);
        CommandResult del = runner.run(List.of("userdel", name));
        if (!del.succeeded()) problems.add("userdel " + name + " failed:\n" + del.describe());
        return problems;
    }

    private void removeQuietly(Path file, String added, List<String> problems) {
        if (added == null) return;
        try {
            remove(file, added);
        } catch (IOException | RuntimeException e) {
            problems.add("cannot remove " + name + "'s range from " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        List<String> problems = undo();
        if (!problems.isEmpty()) throw new IllegalStateException("userns-remap user cleanup:\n  " + String.join("\n  ", problems));
    }
}
