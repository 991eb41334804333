package io.sysbox.conformance.cri;

import io.sysbox.conformance.DaemonLogLevel;
import io.sysbox.conformance.DaemonStart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A sysbox-cri of dist/ in front of a test containerd, on the suite's run dir; stopped by its pid. */
public final class SysboxCriProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> command;
    private final Path socket;
    private final Path console;
    private final Path log;
    private Process process;

    private SysboxCriProcess(List<String> command, Path socket, Path console, Path log) {
        this.command = command;
        this.socket = socket;
        this.console = console;
        this.log = log;
    }

    public static SysboxCriProcess start(Path executable, Path runDir, Path upstream, Path dir) throws IOException {
        Path socket = dir.resolve("sysbox-cri.sock");
        Path log = dir.resolve("sysbox-cri.log");
        List<String> command = List.of(executable.toString(), "--run-dir", runDir.toString(),
                "--upstream", "unix://" + upstream, "--socket", socket.toString(), "--log", log.toString(),
                "--log-level", DaemonLogLevel.current());
        SysboxCriProcess cri = new SysboxCriProcess(command, socket, dir.resolve("sysbox-cri.console"), log);
        cri.launch();
        return cri;
    }

    public Path socket() {
        return socket;
    }

    private void launch() throws IOException {
        process = DaemonStart.start(command, socket, console, READY_TIMEOUT, this::logTail);
    }

    /** SIGTERM and a bounded wait, then a new process with the same flags (as an upgrade would). */
    public void restart() throws IOException {
        close();
        launch();
    }

    public String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            String console = Files.exists(this.console) ? Files.readString(this.console) : "";
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())) + "\n" + console;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("sysbox-cri (pid " + process.pid() + ") ignored SIGTERM; killed it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
