package io.sysbox.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The directory of this process's memory cgroup. */
    public static Path ownMemoryCgroup() throws IOException {
        return OwnCgroups.of("memory");
    }

    /** Removes the cgroup; pages still charged to it move to its parent. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
