package io.sysbox.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A real memory cgroup (v1) made under the test process's own memory cgroup, never at the
 * hierarchy's top, and removed on close.
 */
public final class MemoryCgroupFixture implements AutoCloseable {
    private final Path dir;

    private MemoryCgroupFixture(Path dir) {
        this.dir = dir;
    }

    public static MemoryCgroupFixture create(long limitBytes) throws IOException {
        Path parent = ownMemoryCgroup();
        Path dir = parent.resolve("sysboxfs-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
        MemoryCgroupFixture fixture = new MemoryCgroupFixture(dir);
        try {
            Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
        } catch (IOException | RuntimeException e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    public Path dir() {
        return dir;
    }

    public long usageBytes() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("memory.usage_in_bytes")).strip());
    }

    /** The directory of this process's memory cgroup: its mount point plus its path in /proc/self/cgroup. */
    public static Path ownMemoryCgroup() throws IOException {
        String relative = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) relative = f[2];
        }
        if (relative == null) throw new IOException("this process has no cgroup v1 memory controller (/proc/self/cgroup)");
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root mountpoint options... - fstype source superoptions
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (right[0].equals("cgroup") && List.of(right[2].split(",")).contains("memory")) {
                String root = left[3];
                String inside = relative.startsWith(root) ? relative.substring(root.length()) : relative;
                return Path.of(left[4] + (inside.startsWith("/") || inside.isEmpty() ? "" : "/") + inside);
            }
        }
        throw new IOException("no cgroup v1 memory hierarchy is mounted (/proc/self/mountinfo)");
    }

    /** Removes the cgroup; pages still charged to it move to its parent. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
