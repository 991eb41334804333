package io.sysbox.conformance.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Wall time of one command, for the benchmarks; and the median of several. */
final class TimedCommand {
    private static final int TIMEOUT_SECONDS = 60;

    private TimedCommand() {}

    /** Wall time of COMMAND in ms; it must exit 0 (a failing command is not a fast one). */
    static double millis(List<String> command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("bench-stderr-", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + TIMEOUT_SECONDS + " s; killed it");
            }
            double ms = (System.nanoTime() - start) / 1e6;
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + Files.readString(err).strip());
            }
            return ms;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /**
     * CPU time of COMMAND and its children in ms (perf stat's task-clock); it must exit 0. A
     * runtime's call costs CPU in other processes too (sysbox-mgr's share is measured apart).
     */
    static double cpuMillis(List<String> command) throws IOException, InterruptedException {
        Path stat = Files.createTempFile("bench-perf-", ".txt");
        try {
            List<String> perf = new java.util.ArrayList<>(List.of("perf", "stat", "-x,", "-e", "task-clock", "-o", stat.toString(), "--"));
            perf.addAll(command);
            millis(perf);
            for (String line : Files.readAllLines(stat)) {
                String[] f = line.split(",");
                if (f.length > 2 && f[2].startsWith("task-clock")) return Double.parseDouble(f[0]);
            }
            throw new IllegalStateException("perf stat wrote no task-clock: " + Files.readString(stat));
        } finally {
            Files.deleteIfExists(stat);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
