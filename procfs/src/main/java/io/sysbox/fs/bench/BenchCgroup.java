package io.sysbox.fs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
