package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sysbox-fs of dist/ for one suite: in the manager's run dir (the manager registers containers
 * with it through RUN_DIR/sysfs.sock), its FUSE mount in the suite's temp tree. Stopped by its
 * pid; SIGTERM unmounts.
 */
public final class SysboxFsProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path mountpoint;
    private final Path log;

    private SysboxFsProcess(Process process, Path mountpoint, Path log) {
        this.process = process;
        this.mountpoint = mountpoint;
        this.log = log;
    }

    public static SysboxFsProcess start(SuiteEnvironment suite) throws IOException {
        Path runDir = suite.manager().dirs().runDir();
        Path mountpoint = suite.directory("sysboxfs");
        Path log = suite.work().resolve("sysbox-fs.log");
        List<String> command = List.of(suite.dist().sysboxFs().toString(), "--run-dir", runDir.toString(),
                "--mountpoint", mountpoint.toString(), "--log", log.toString(), "--log-level", "debug");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(suite.work().resolve("sysbox-fs.console").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        SysboxFsProcess fs = new SysboxFsProcess(process, mountpoint, log);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!ManagerProcess.accepts(runDir.resolve("sysfs.sock"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                fs.close();
                throw new IllegalStateException(String.join(" ", command) + " did not open its socket:\n" + fs.logTail());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fs;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("sysbox-fs (pid " + process.pid() + ") ignored SIGTERM; killed it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
