package io.sysbox.install.undo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sysbox.install.host.AtomicFileReplacement;
import io.sysbox.install.host.HostRoot;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every host path the installer changes goes through here: before the first change of a path,
 * what was there (its bytes, mode and owner, a link's target, or nothing) is saved in the state
 * directory on the host, so {@link #restore} puts back exactly that, byte for byte, whatever the
 * installer wrote in between. A write of the bytes already there changes nothing and records
 * nothing (a second install is a no-op). The record is written before the change it covers
 * (write-ahead), so an install cut short can still be undone.
 *
 * <p>Layout: {@code STATE_DIR/journal.json} (the originals in the order they were first
 * changed, and the directories the journal made for itself), {@code STATE_DIR/originals/N} (the
 * saved bytes). The state directory goes when the last original is restored.
 */
public final class ChangeJournal {
    public static final Path STATE_DIR = Path.of("/var/lib/sysbox-deploy");
    private static final String JOURNAL = "journal.json";
    private static final String ORIGINALS = "originals";
    private static final int DIRECTORY_MODE = 0755;
    private static final int STATE_MODE = 0700;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What journal.json holds. */
    record State(List<String> createdForState, List<Original> originals) {}

    private final HostRoot host;
    private final Path stateDir;
    private final boolean dryRun;
    private State state;

    private ChangeJournal(HostRoot host, Path stateDir, State state, boolean dryRun) {
        this.host = host;
        this.stateDir = stateDir;
        this.state = state;
        this.dryRun = dryRun;
    }

    /** The journal of HOST (empty when nothing was installed there, or all was undone). */
    public static ChangeJournal open(HostRoot host) throws IOException {
        return open(host, false);
    }

    /**
     * A journal that changes nothing: its writes only answer whether they would change anything
     * (so a caller can tell an up-to-date host before touching it).
     */
    public static ChangeJournal dryRun(HostRoot host) throws IOException {
        return open(host, true);
    }

    private static ChangeJournal open(HostRoot host, boolean dryRun) throws IOException {
        Path stateDir = host.resolve(STATE_DIR);
        Path file = stateDir.resolve(JOURNAL);
        if (!Files.exists(file)) return new ChangeJournal(host, stateDir, new State(List.of(), List.of()), dryRun);
        try {
            State state = JSON.readValue(file.toFile(), new TypeReference<State>() {});
            return new ChangeJournal(host, stateDir, state, dryRun);
        } catch (IOException e) {
            throw new IOException(host.hostPath(file) + " cannot be read (" + e.getMessage() + "): it records what the"
                    + " installer changed, so nothing more is changed or undone until it is repaired", e);
        }
    }

    public HostRoot host() {
        return host;
    }

    /** The originals recorded for OWNER, in the order they were first changed. */
    public List<Original> originals(String owner) {
        return state.originals().stream().filter(o -> o.owner().equals(owner)).toList();
    }

    public boolean isEmpty() {
        return state.originals().isEmpty();
    }

    /**
     * Makes HOST_PATH a regular file holding CONTENT (mode MODE when it is new, else its own mode
     * and owner are kept), creating missing parent directories; true when anything changed.
     */
    public boolean write(String owner, Path hostPath, byte[] content, int mode) throws IOException {
        Path local = host.resolve(hostPath);
        if (Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(local), content)) {
            return false;
        }
        if (dryRun) return true;
        makeParents(owner, hostPath);
        record(owner, hostPath);
        if (Files.isSymbolicLink(local)) Files.delete(local);
        new AtomicFileReplacement(local, mode).write(content);
        return true;
    }

    /** Makes HOST_PATH a symbolic link to TARGET; true when anything changed. */
    public boolean symlink(String owner, Path hostPath, Path target) throws IOException {
        Path local = host.resolve(hostPath);
        if (Files.isSymbolicLink(local) && Files.readSymbolicLink(local).equals(target)) return false;
        if (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(hostPath + " is a directory, where the installer puts a link to " + target
                    + ": move it away; nothing was changed there");
        }
        if (dryRun) return true;
        makeParents(owner, hostPath);
        record(owner, hostPath);
        Files.deleteIfExists(local);
        Files.createSymbolicLink(local, target);
        return true;
    }

    /** Removes HOST_PATH (a file or link) if it exists, recording it first; true when anything changed. */
    public boolean remove(String owner, Path hostPath) throws IOException {
        Path local = host.resolve(hostPath);
        if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) return false;
        if (dryRun) return true;
        record(owner, hostPath);
        Files.delete(local);
        return true;
    }

    /** Makes HOST_DIR and its missing parents (mode 0755), each recorded as absent. */
    public void makeDirectories(String owner, Path hostDir) throws IOException {
        if (dryRun) return;
        List<Path> missing = new ArrayList<>();
        for (Path dir = hostDir; dir != null && !Files.exists(host.resolve(dir), LinkOption.NOFOLLOW_LINKS);
             dir = dir.getParent()) {
            missing.addFirst(dir);
        }
        for (Path dir : missing) {
            record(owner, dir);
            Files.createDirectory(host.resolve(dir));
            Files.setAttribute(host.resolve(dir), "unix:mode", DIRECTORY_MODE);
        }
    }

    private void makeParents(String owner, Path hostPath) throws IOException {
        if (hostPath.getParent() != null) makeDirectories(owner, hostPath.getParent());
    }

    /** Saves what HOST_PATH is now, unless an earlier change already did (then that original stands). */
    private void record(String owner, Path hostPath) throws IOException {
        String path = hostPath.toString();
        for (Original o : state.originals()) {
            if (o.path().equals(path)) {
                if (!o.owner().equals(owner)) {
                    throw new IllegalStateException(path + " was first changed by " + o.owner() + ", now by " + owner);
                }
                return;
            }
        }
        Path local = host.resolve(hostPath);
        Original original;
        if (Files.isSymbolicLink(local)) {
            original = new Original(owner, path, Original.Kind.SYMLINK, null, null, null, null,
                    Files.readSymbolicLink(local).toString());
        } else if (Files.isRegularFile(local)) {
            String saved = Integer.toString(state.originals().size());
            Path copy = ensureStateDir().resolve(ORIGINALS).resolve(saved);
            Files.createDirectories(copy.getParent());
            new AtomicFileReplacement(copy, 0600).write(Files.readAllBytes(local));
            original = new Original(owner, path, Original.Kind.FILE, saved, mode(local),
                    (Integer) Files.getAttribute(local, "unix:uid"), (Integer) Files.getAttribute(local, "unix:gid"), null);
        } else if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            original = new Original(owner, path, Original.Kind.ABSENT, null, null, null, null, null);
        } else {
            throw new IOException(hostPath + " is neither a file nor a link (a directory or device?), where the"
                    + " installer writes a file: move it away; nothing was changed there");
        }
        List<Original> originals = new ArrayList<>(state.originals());
        originals.add(original);
        save(new State(state.createdForState(), originals));
    }

    /**
     * Puts back every path OWNER changed, newest first (files before the directories made for
     * them); returns the host paths restored. The state directory goes with the last original.
     */
    public List<Path> restore(String owner) throws IOException {
        if (dryRun) throw new IllegalStateException("a dry-run journal restores nothing");
        List<Original> mine = originals(owner);
        List<Path> restored = new ArrayList<>();
        for (Original o : mine.reversed()) {
            restoreOne(o);
            restored.add(Path.of(o.path()));
        }
        List<Original> rest = state.originals().stream().filter(o -> !o.owner().equals(owner)).toList();
        if (rest.isEmpty()) {
            removeStateDir();
        } else if (!mine.isEmpty()) {
            save(new State(state.createdForState(), rest));
        }
        return restored;
    }

    private void restoreOne(Original o) throws IOException {
        Path local = host.resolve(Path.of(o.path()));
        switch (o.kind()) {
            case ABSENT -> {
                if (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.delete(local);
                    } catch (DirectoryNotEmptyException e) {
                        // Something else put files there since: theirs stay, and so does the directory.
                    }
                } else {
                    Files.deleteIfExists(local);
                }
            }
            case SYMLINK -> {
                Files.deleteIfExists(local);
                Files.createSymbolicLink(local, Path.of(o.target()));
            }
            case FILE -> {
                byte[] bytes = Files.readAllBytes(stateDir.resolve(ORIGINALS).resolve(o.saved()));
                if (Files.isSymbolicLink(local)) Files.delete(local);
                boolean same = Files.isRegularFile(local) && Arrays.equals(Files.readAllBytes(local), bytes);
                if (!same) new AtomicFileReplacement(local, o.mode()).write(bytes);
                Files.setAttribute(local, "unix:mode", o.mode());
                Files.setAttribute(local, "unix:gid", o.gid());
                Files.setAttribute(local, "unix:uid", o.uid());
            }
        }
    }

    private Path ensureStateDir() throws IOException {
        if (Files.isDirectory(stateDir)) return stateDir;
        List<String> created = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Path dir = stateDir; !Files.exists(dir); dir = dir.getParent()) missing.addFirst(dir);
        for (Path dir : missing) {
            Files.createDirectory(dir);
            Files.setAttribute(dir, "unix:mode", dir.equals(stateDir) ? STATE_MODE : DIRECTORY_MODE);
            created.add(host.hostPath(dir).toString());
        }
        state = new State(created, state.originals());
        return stateDir;
    }

    private void save(State next) throws IOException {
        ensureStateDir();
        State withDirs = new State(state.createdForState(), next.originals());
        new AtomicFileReplacement(stateDir.resolve(JOURNAL), 0600).write(JSON.writeValueAsBytes(withDirs));
        state = withDirs;
    }

    private void removeStateDir() throws IOException {
        if (!Files.exists(stateDir)) return;
        Path originals = stateDir.resolve(ORIGINALS);
        if (Files.isDirectory(originals)) {
            try (var files = Files.list(originals)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(originals);
        }
        Files.deleteIfExists(stateDir.resolve(JOURNAL));
        for (String dir : state.createdForState().reversed()) {
            try {
                Files.deleteIfExists(host.resolve(dir));
            } catch (DirectoryNotEmptyException e) {
                break;
            }
        }
        try {
            Files.deleteIfExists(stateDir);
        } catch (DirectoryNotEmptyException e) {
            // Files of someone else's in the state directory: left, with the directory.
        }
        state = new State(List.of(), List.of());
    }

    private static int mode(Path local) throws IOException {
        return ((Integer) Files.getAttribute(local, "unix:mode")) & 07777;
    }

    @Override
    public String toString() {
        return "journal " + host.hostPath(stateDir) + " (" + state.originals().size() + " originals)";
    }
}
