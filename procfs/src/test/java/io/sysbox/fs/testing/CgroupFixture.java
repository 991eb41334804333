package io.sysbox.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A real cgroup (v1) of one controller, made under the test process's own cgroup of that
 * controller (see {@link OwnCgroups}), never elsewhere, and removed on close. It holds no
 * process, so removing it cannot fail on a busy cgroup.
 */
public final class CgroupFixture implements AutoCloseable {
    private final Path dir;

    private CgroupFixture(Path dir) {
        this.dir = dir;
    }

    public static CgroupFixture create(String controller) throws IOException {
        Path dir = OwnCgroups.of(controller).resolve("sysboxfs-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
        return new CgroupFixture(dir);
    }

    /** A cpuset cgroup allowed {@code cpus} (a CPU list such as "0" or "0-1"). */
    public static CgroupFixture cpuset(String cpus) throws IOException {
        CgroupFixture fixture = create("cpuset");
        try {
            fixture.write("cpuset.cpus", cpus);
        } catch (IOException | RuntimeException e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    /** A cpu cgroup with a CFS quota of {@code quotaMicros} per {@code periodMicros}. */
    public static CgroupFixture cfsQuota(long quotaMicros, long periodMicros) throws IOException {
        CgroupFixture fixture = create("cpu");
        try {
            fixture.write("cpu.cfs_period_us", Long.toString(periodMicros));
            fixture.write("cpu.cfs_quota_us", Long.toString(quotaMicros));
        } catch (IOException | RuntimeException e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    public Path dir() {
        return dir;
    }

    public void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir);
    }
}
