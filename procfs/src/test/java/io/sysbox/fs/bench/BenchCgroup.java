package io.sysbox.fs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** A memory cgroup for the benchmark's container, under the benchmark's own (never at the hierarchy's top). */
final class BenchCgroup {
    private BenchCgroup() {}

    static Path create(long limitBytes) throws IOException {
        Path dir = own().resolve("sysboxfs-bench-" + ProcessHandle.current().pid());
        Files.createDirectory(dir);
        try {
            Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
        } catch (IOException e) {
            Files.delete(dir);
            throw e;
        }
        return dir;
    }

    /**
     * Runs {@code task} on a new thread that first moves itself into {@code cgroup} (its memory
     * hierarchy only, by writing its thread id to {@code tasks}) and moves back to the parent
     * before it ends, so the cgroup is empty again when this returns and can be removed.
     * FUSE servers see that thread's id as the caller: lxcfs then answers for the cgroup.
     */
    static <T> T callInside(Path cgroup, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("bench-in-" + cgroup.getFileName()).start(() -> {
            try {
                String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                Files.writeString(cgroup.resolve("tasks"), tid);
                try {
                    result.set(task.call());
                } finally {
                    Files.writeString(cgroup.getParent().resolve("tasks"), tid);
                }
            } catch (Exception e) {
                failure.set(e);
            }
        });
        thread.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    private static Path own() throws IOException {
        String relative = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) relative = f[2];
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (relative != null && right[0].equals("cgroup") && List.of(right[2].split(",")).contains("memory")) {
                String inside = relative.startsWith(left[3]) ? relative.substring(left[3].length()) : relative;
                return Path.of(left[4] + (inside.startsWith("/") || inside.isEmpty() ? "" : "/") + inside);
            }
        }
        throw new IOException("this process has no cgroup v1 memory controller to put the benchmark's cgroup under");
    }
}
