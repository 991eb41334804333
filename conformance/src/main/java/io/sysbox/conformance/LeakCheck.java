package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a deleted (or refused) container must not leave behind: mounts under the manager's
 * data root, id-range records, idmapped clones, private runtime dirs, cgroup directories.
 */
public record LeakCheck(Path dataRoot, Path runtimeRoot, CgroupScope cgroups) {
    /** The manager's host-backed directories for inner Docker, containerd... (DATA_ROOT/KIND/ID). */
    private static final List<String> SPECIAL_DIR_KINDS =
            List.of("docker", "containerd", "kubelet", "k0s", "k3s", "rke2", "buildkit");

    /** One line per leftover; empty when clean. */
    public List<String> leaks() {
        List<String> leaks = new ArrayList<>();
        for (MountEntry mount : MountEntry.current()) {
            if (mount.line().contains(dataRoot.toString())) leaks.add("mount: " + mount.line());
        }
        entries(dataRoot.resolve("idranges"), "id range record", leaks);
        entries(dataRoot.resolve("podranges"), "pod range record", leaks);
        entries(dataRoot.resolve("shifted"), "idmapped clone dir", leaks);
        for (String kind : SPECIAL_DIR_KINDS) entries(dataRoot.resolve(kind), "special dir", leaks);
        entries(dataRoot.resolve("specialdirs"), "special dir record", leaks);
        entries(runtimeRoot.resolve("sysbox"), "sysbox-runc private dir", leaks);
        entries(runtimeRoot.resolve("runc"), "low-level runtime state", leaks);
        for (Path dir : cgroups.leftovers()) leaks.add("cgroup: " + dir);
        return leaks;
    }

    /** Polls until clean or TIMEOUT (release after a foreground run is asynchronous). */
    public List<String> awaitClean(Duration timeout) {
        return awaitEmpty(this::leaks, timeout);
    }

    /** Polls LEAKS until it is empty or TIMEOUT passed; returns the last answer. */
    public static List<String> awaitEmpty(Supplier<List<String>> leaks, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> found = leaks.get();
        while (!found.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = leaks.get();
        }
        return found;
    }

    /** One line "WHAT: entry" per entry of DIR into LEAKS (nothing when DIR does not exist). */
    public static void entries(Path dir, String what, List<String> leaks) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(p -> leaks.add(what + ": " + p));
        } catch (IOException e) {
            leaks.add("cannot list " + dir + ": " + e.getMessage());
        }
    }
}
