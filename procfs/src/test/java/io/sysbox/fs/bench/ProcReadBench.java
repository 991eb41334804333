package io.sysbox.fs.bench;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.SysboxFsMount;
import io.sysbox.fs.emulation.registry.Container;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Times open+read+close of the emulated proc/meminfo and proc/uptime against the host's
 * /proc files, interleaved in one run so both see the same machine state, and prints medians.
 * Then measures throughput with several concurrent readers for each number of FUSE serving
 * threads. Not a test: run it as root on an idle machine,
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... io.sysbox.fs.bench.ProcReadBench [iterations] [threads,...] [clients]}.
 */
public final class ProcReadBench {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-bench");

    private ProcReadBench() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int[] serverThreads = args.length > 1
                ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2, 4};
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path base = Files.createTempDirectory("sysboxfs-bench-");
        Path cgroup = BenchCgroup.create(256L << 20);
        try {
            System.out.printf("open+read+close, %d interleaved rounds per row, microseconds (median / p90)%n", iterations);
            System.out.printf("%-8s %-9s %18s %18s %8s%n", "threads", "file", "sysbox-fs", "host /proc", "ratio");
            for (int threads : serverThreads) {
                Path mountpoint = base.resolve("mnt-" + threads);
                try (SysboxFsMount mount = SysboxFsMount.mount(mountpoint, threads, LOG)) {
                    mount.registry().register(new Container("bench", BootClock.nanos(), Map.of("memory", cgroup), 0, 0, 0));
                    Path dir = mount.readOnlyContainerDirectory("bench").resolve("proc");
                    latency(threads, "meminfo", dir.resolve("meminfo"), Path.of("/proc/meminfo"), iterations);
                    latency(threads, "uptime", dir.resolve("uptime"), Path.of("/proc/uptime"), iterations);
                    throughput(threads, clients, dir.resolve("meminfo"), iterations);
                } finally {
                    Files.deleteIfExists(mountpoint);
                }
            }
        } finally {
            Files.deleteIfExists(cgroup);
            Files.deleteIfExists(base);
        }
    }

    private static void latency(int threads, String name, Path emulated, Path host, int iterations) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; i < Math.max(2000, iterations / 10); i++) {
            readWhole(emulated, buffer);
            readWhole(host, buffer);
        }
        long[] ours = new long[iterations];
        long[] kernel = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            readWhole(emulated, buffer);
            long t1 = System.nanoTime();
            readWhole(host, buffer);
            long t2 = System.nanoTime();
            ours[i] = t1 - t0;
            kernel[i] = t2 - t1;
        }
        Arrays.sort(ours);
        Arrays.sort(kernel);
        System.out.printf("%-8d %-9s %8.1f / %7.1f %8.1f / %7.1f %7.2fx%n", threads, name,
                micros(ours, 0.5), micros(ours, 0.9), micros(kernel, 0.5), micros(kernel, 0.9),
                micros(ours, 0.5) / micros(kernel, 0.5));
    }

    private static void throughput(int threads, int clients, Path file, int iterations) throws Exception {
        int perClient = Math.max(1000, iterations / clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    byte[] buffer = new byte[64 * 1024];
                    for (int i = 0; i < perClient; i++) readWhole(file, buffer);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-8d %-9s %d concurrent readers: %.0f reads/s%n", threads, "meminfo", clients,
                    clients * perClient / seconds);
        } finally {
            pool.shutdownNow();
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
