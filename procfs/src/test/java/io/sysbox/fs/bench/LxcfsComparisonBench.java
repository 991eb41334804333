package io.sysbox.fs.bench;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.SysboxFsMount;
import io.sysbox.fs.emulation.registry.Container;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Issue 4, acceptance 10: open+read+close of proc/meminfo and proc/uptime through sysbox-fs,
 * through a private lxcfs, and on the host kernel, interleaved in one run, from a thread in a
 * 256 MiB memory cgroup (so both FUSE servers compute a container's view). sysbox-fs is read
 * where containers get its files bound from, its read-only connection; its read-write
 * connection ("sysbox-fs rw", one GETATTR more per read) is read too, for comparison. Prints
 * medians, the ratios sysbox-fs/lxcfs, sysbox-fs/host and sysbox-fs/rw, and whether sysbox-fs
 * takes at most half of lxcfs's time. Not a test: run it as root on an idle machine,
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... io.sysbox.fs.bench.LxcfsComparisonBench [--rounds N] [--warmup W]}.
 */
public final class LxcfsComparisonBench {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-bench");
    private static final long LIMIT_BYTES = 256L << 20;
    private static final double TARGET_RATIO = 0.5;
    private static final List<String> FILES = List.of("meminfo", "uptime");
    private static final List<String> SOURCES = List.of("sysbox-fs", "lxcfs", "host", "sysbox-fs rw");

    private LxcfsComparisonBench() {}

    /** One file as served by one source: what each round reads once. */
    private record Target(String source, String file, Path path) {}

    private record Options(int rounds, int warmup) {
        static Options parse(String[] args) {
            int rounds = 2000;
            int warmup = 200;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--rounds" -> rounds = positive(args[i], value);
                    case "--warmup" -> warmup = positive(args[i], value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; usage: LxcfsComparisonBench [--rounds N] [--warmup W]");
                }
                i++;
            }
            return new Options(rounds, warmup);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // reported below with the option's name
            }
            throw new IllegalArgumentException(option + " needs a positive number, got " + value);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path base = Files.createTempDirectory("sysboxfs-vs-lxcfs-").toRealPath();
        Path sysboxMountpoint = base.resolve("sysbox-fs");
        Path lxcfsDir = Files.createDirectory(base.resolve("lxcfs"));
        Path cgroup = BenchCgroup.create(LIMIT_BYTES);
        try (SysboxFsMount sysbox = SysboxFsMount.mount(sysboxMountpoint, SysboxFsMount.DEFAULT_THREADS, LOG);
             PrivateLxcfs lxcfs = PrivateLxcfs.start(lxcfsDir)) {
            sysbox.registry().register(new Container("bench", BootClock.nanos(), Map.of("memory", cgroup), 0, 0, 0));
            // Where the runtime binds these files from: the read-only connection.
            Path sysboxProc = sysbox.readOnlyContainerDirectory("bench").resolve("proc");
            Path sysboxReadWriteProc = sysbox.containerDirectory("bench").resolve("proc");
            Path lxcfsProc = lxcfs.mountpoint().resolve("proc");
            List<Target> targets = FILES.stream().flatMap(file -> Stream.of(
                    new Target("sysbox-fs", file, sysboxProc.resolve(file)),
                    new Target("lxcfs", file, lxcfsProc.resolve(file)),
                    new Target("host", file, Path.of("/proc", file)),
                    new Target("sysbox-fs rw", file, sysboxReadWriteProc.resolve(file)))).toList();
            System.out.printf("lxcfs %s (pid %d) on %s; sysbox-fs (%d serving threads) on %s%n", lxcfsVersion(),
                    lxcfs.pid(), lxcfs.mountpoint(), SysboxFsMount.DEFAULT_THREADS, sysboxMountpoint);
            long[][] samples = BenchCgroup.callInside(cgroup, () -> {
                checkContainerView(targets);
                return measure(targets, options);
            });
            report(cgroup, targets, samples, options);
        } finally {
            Files.deleteIfExists(cgroup);
            Files.deleteIfExists(sysboxMountpoint);
            Files.deleteIfExists(lxcfsDir);
            Files.deleteIfExists(base);
        }
    }

    /** Both FUSE servers must show the cgroup's 256 MiB, or the comparison is not of like with like. */
    private static void checkContainerView(List<Target> targets) throws IOException {
        String expected = "MemTotal: " + (LIMIT_BYTES >> 10) + " kB";
        for (Target t : targets) {
            if (!t.file().equals("meminfo") || t.source().equals("host")) continue;
            String first = Files.readAllLines(t.path()).getFirst();
            if (!first.replaceAll("\\s+", " ").equals(expected)) {
                throw new IllegalStateException(t.source() + " does not show the reading thread's cgroup: "
                        + t.path() + " starts with '" + first + "', expected '" + expected + "'");
            }
        }
        System.out.printf("both sysbox-fs and lxcfs show the cgroup's limit: %s%n", expected);
    }

    /**
     * Reads every target once per round, starting each round one target further on, so no
     * source always runs right after another (cache and scheduler effects spread evenly).
     */
    private static long[][] measure(List<Target> targets, Options options) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n = targets.size();
        for (int round = 0; round < options.warmup(); round++) {
            for (Target t : targets) readWhole(t.path(), buffer);
        }
        long[][] samples = new long[n][options.rounds()];
        for (int round = 0; round < options.rounds(); round++) {
            for (int k = 0; k < n; k++) {
                int i = (round + k) % n;
                long start = System.nanoTime();
                readWhole(targets.get(i).path(), buffer);
                samples[i][round] = System.nanoTime() - start;
            }
        }
        for (long[] s : samples) Arrays.sort(s);
        return samples;
    }

    private static void report(Path cgroup, List<Target> targets, long[][] samples, Options options) {
        System.out.printf("open+read+close from a thread in memory cgroup %s (limit %d MiB), %d interleaved rounds "
                + "after %d warm-up, microseconds median (p90)%n", cgroup, LIMIT_BYTES >> 20, options.rounds(),
                options.warmup());
        System.out.printf("%-8s %17s %17s %17s %17s %16s %15s %13s%n", "file", "sysbox-fs", "lxcfs", "host",
                "sysbox-fs rw", "sysbox-fs/lxcfs", "sysbox-fs/host", "sysbox-fs/rw");
        boolean met = true;
        for (String file : FILES) {
            double[] median = new double[SOURCES.size()];
            StringBuilder row = new StringBuilder(String.format("%-8s", file));
            for (int s = 0; s < SOURCES.size(); s++) {
                long[] sorted = samples[indexOf(targets, SOURCES.get(s), file)];
                median[s] = micros(sorted, 0.5);
                row.append(String.format(" %8.1f (%6.1f)", median[s], micros(sorted, 0.9)));
            }
            double vsLxcfs = median[0] / median[1];
            met &= vsLxcfs <= TARGET_RATIO;
            row.append(String.format(" %15.2fx %14.2fx %12.2fx", vsLxcfs, median[0] / median[2], median[0] / median[3]));
            System.out.println(row);
        }
        System.out.printf("target sysbox-fs <= %.1f x lxcfs: %s%n", TARGET_RATIO, met ? "met" : "NOT met");
    }

    private static int indexOf(List<Target> targets, String source, String file) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).source().equals(source) && targets.get(i).file().equals(file)) return i;
        }
        throw new IllegalArgumentException("no target " + source + " " + file);
    }

    private static String lxcfsVersion() {
        try {
            Process p = new ProcessBuilder("lxcfs", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out.replace("\"", "");
        } catch (IOException e) {
            return "(version unknown: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(version unknown)";
        }
    }

    /** What cat does: open, read until end of file, close. */
    private static int readWhole(Path file, byte[] buffer) throws IOException {
        int total = 0;
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            int n;
            while ((n = in.read(buffer)) > 0) total += n;
        }
        return total;
    }

    private static double micros(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)))] / 1000.0;
    }
}
