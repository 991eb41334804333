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

    private final List<String> command;
    private final Path runDir;
    private final Path console;
    private final Path mountpoint;
    private final Path log;
    private Process process;

    private SysboxFsProcess(List<String> command, Path runDir, Path console, Path mountpoint, Path log) {
        this.command = command;
        this.runDir = runDir;
        this.console = console;
        this.mountpoint = mountpoint;
        this.log = log;
    }

    public static SysboxFsProcess start(SuiteEnvironment suite) throws IOException {
        Path runDir = suite.manager().dirs().runDir();
        Path mountpoint = suite.directory("sysboxfs");
        Path log = suite.work().resolve("sysbox-fs.log");
        List<String> command = List.of(suite.dist().sysboxFs().toString(), "--run-dir", runDir.toString(),
                "--mountpoint", mountpoint.toString(), "--log", log.toString(), "--log-level", DaemonLogLevel.current());
        SysboxFsProcess fs = new SysboxFsProcess(command, runDir, suite.work().resolve("sysbox-fs.console"),
                mountpoint, log);
        fs.launch();
        return fs;
    }

    /** Starts the process and returns once its socket accepts connections. */
    private void launch() throws IOException {
        process = DaemonStart.start(command, runDir.resolve("sysfs.sock"), console, READY_TIMEOUT, this::logTail);
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL to the pid this class started: no chance to unmount or hand anything back, as in a crash. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("sysbox-fs (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
    }

    /** Starts a new sysbox-fs with the same flags (the previous one must have exited). */
    public void restart() throws IOException {
        if (process.isAlive()) throw new IllegalStateException("sysbox-fs (pid " + process.pid() + ") is still running");
        launch();
    }

    /** SIGTERM and the exit status (bounded wait); -1 if it was not running. */
    public int stop() throws InterruptedException {
        if (!process.isAlive()) return -1;
        close();
        return process.exitValue();
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
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
