package io.sysbox.fs.emulation.cgroup;

import io.sysbox.fs.emulation.file.RereadableFile;
import io.sysbox.fs.emulation.registry.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup files a container's CPU view is computed from, kept open for its lifetime: the
 * CPUs of its cpuset and its CFS quota. Which files are read follows what each registered
 * directory is: a cgroup v1 cpuset directory gives cpuset.cpus and a v1 cpu directory
 * cpu.cfs_quota_us and cpu.cfs_period_us; a cgroup v2 directory (registered as "unified", or
 * under a controller's name) gives cpuset.cpus.effective and cpu.max, where those controllers
 * are enabled for it.
 */
public final class CpuCgroupReader implements AutoCloseable {
    /** Where the quota comes from: the two v1 files or the one v2 file. */
    private sealed interface QuotaFiles extends AutoCloseable permits CfsQuotaFiles, CpuMaxFile {
        Quota read() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** CPU time allowed per period, in microseconds; a negative quota for none. */
    private record Quota(long quotaMicros, long periodMicros) {}

    /** cgroup v1: cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us. */
    private record CfsQuotaFiles(RereadableFile quota, RereadableFile period) implements QuotaFiles {
        @Override
        public Quota read() throws IOException {
            return new Quota(number(quota.read(), quota.path()), number(period.read(), period.path()));
        }

        @Override
        public void close() throws IOException {
            try {
                quota.close();
            } finally {
                period.close();
            }
        }
    }

    /** cgroup v2: cpu.max, "QUOTA PERIOD" with QUOTA "max" for none. */
    private record CpuMaxFile(RereadableFile max) implements QuotaFiles {
        @Override
        public Quota read() throws IOException {
            String text = max.read().strip();
            String[] fields = text.split(" ");
            if (fields.length != 2) {
                throw new IOException(max.path() + " holds '" + text + "' where 'QUOTA PERIOD' or 'max PERIOD' was expected");
            }
            long quota = fields[0].equals("max") ? -1 : number(fields[0], max.path());
            return new Quota(quota, number(fields[1], max.path()));
        }

        @Override
        public void close() throws IOException {
            max.close();
        }
    }

    private final RereadableFile cpuset;
    private final QuotaFiles quota;

    private CpuCgroupReader(RereadableFile cpuset, QuotaFiles quota) {
        this.cpuset = cpuset;
        this.quota = quota;
    }

    /**
     * The reader of {@code container}'s CPU limits; empty when none of its registered cgroups
     * holds a cpuset or a CPU quota (its files then show the host's view).
     *
     * @throws IOException if a registered "cpuset" or "cpu" directory is missing or is not one,
     *                     or if the "unified" directory it falls back to is missing
     */
    public static Optional<CpuCgroupReader> open(Container container) throws IOException {
        // Consulted only for a controller without a v1 directory: on a hybrid host it holds no CPU controller.
        Optional<Path> unified = container.cgroup("unified");
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            RereadableFile cpuset = null;
            Optional<Path> cpusetDir = container.cgroup("cpuset");
            if (cpusetDir.isPresent()) {
                cpuset = cpusetFile(cpusetDir.get()).orElseThrow(() -> new IOException(cpusetDir.get()
                        + " is not a cpuset cgroup directory (neither cpuset.cpus.effective nor cpuset.cpus);"
                        + " register the container's directory in the cpuset hierarchy"));
            } else if (unified.isPresent()) {
                cpuset = cpusetFile(unified.get()).orElse(null);
            }
            if (cpuset != null) opened.add(cpuset);
            QuotaFiles quota = null;
            Optional<Path> cpuDir = container.cgroup("cpu");
            if (cpuDir.isPresent()) {
                quota = quotaFiles(cpuDir.get()).orElseThrow(() -> new IOException(cpuDir.get()
                        + " is not a cpu cgroup directory (neither cpu.max nor cpu.cfs_quota_us);"
                        + " register the container's directory in the cpu hierarchy"));
            } else if (unified.isPresent()) {
                quota = quotaFiles(unified.get()).orElse(null);
            }
            if (quota != null) opened.add(quota);
            if (cpuset == null && quota == null) return Optional.empty();
            return Optional.of(new CpuCgroupReader(cpuset, quota));
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable file : opened) closeQuietly(file);
            throw e;
        }
    }

    /** The limits now. */
    public CpuLimits read() throws IOException {
        Optional<CpuList> cpus = Optional.empty();
        if (cpuset != null) cpus = Optional.of(CpuList.parse(cpuset.read(), cpuset.path().toString()));
        if (quota == null) return new CpuLimits(cpus, -1, CpuLimits.UNLIMITED.periodMicros());
        Quota now = quota.read();
        return new CpuLimits(cpus, now.quotaMicros(), now.periodMicros());
    }

    @Override
    public void close() throws IOException {
        try {
            if (cpuset != null) cpuset.close();
        } finally {
            if (quota != null) quota.close();
        }
    }

    private static Optional<RereadableFile> cpusetFile(Path dir) throws IOException {
        requireDirectory(dir, "cpuset");
        // v2 first: a v2 directory has a cpuset.cpus too, but that is only the request, possibly empty.
        for (String name : List.of("cpuset.cpus.effective", "cpuset.cpus")) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) return Optional.of(new RereadableFile(file));
        }
        return Optional.empty();
    }

    private static Optional<QuotaFiles> quotaFiles(Path dir) throws IOException {
        requireDirectory(dir, "cpu");
        if (Files.exists(dir.resolve("cpu.max"))) return Optional.of(new CpuMaxFile(new RereadableFile(dir.resolve("cpu.max"))));
        if (!Files.exists(dir.resolve("cpu.cfs_quota_us"))) return Optional.empty();
        RereadableFile quota = new RereadableFile(dir.resolve("cpu.cfs_quota_us"));
        try {
            return Optional.of(new CfsQuotaFiles(quota, new RereadableFile(dir.resolve("cpu.cfs_period_us"))));
        } catch (IOException e) {
            quota.close();
            throw e;
        }
    }

    private static void requireDirectory(Path dir, String controller) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the container's " + controller + " cgroup does not exist");
        }
    }

    private static long number(String value, Path file) throws IOException {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + value.strip() + "' where a number of microseconds was expected");
        }
    }

    private static void closeQuietly(AutoCloseable file) {
        try {
            file.close();
        } catch (Exception e) {
            // Read-only descriptors: closing them cannot lose anything.
        }
    }
}
