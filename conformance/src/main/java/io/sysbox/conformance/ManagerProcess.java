package io.sysbox.conformance;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private sysbox-mgr from dist/, started on its own directories and stopped by the pid this
 * class started (the launcher execs the JVM, so that pid is the daemon itself).
 */
public final class ManagerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path executable;
    private final ManagerDirs dirs;
    private Process process;

    private ManagerProcess(Path executable, ManagerDirs dirs) {
        this.executable = executable;
        this.dirs = dirs;
    }

    /** Starts the manager and returns once both of its sockets accept connections. */
    public static ManagerProcess start(Path executable, ManagerDirs dirs) {
        ManagerProcess manager = new ManagerProcess(executable, dirs);
        manager.launch();
        return manager;
    }

    public ManagerDirs dirs() {
        return dirs;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, then a bounded wait; a manager that ignores it is killed and reported. */
    public void stop() {
        if (!isAlive()) return;
        process.destroy();
        if (!awaitExit(STOP_TIMEOUT)) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(5));
            throw new IllegalStateException("sysbox-mgr (pid " + process.pid() + ") did not exit within "
                    + STOP_TIMEOUT + " of SIGTERM; killed it. Log tail:\n" + logTail());
        }
    }

    /** SIGKILL: the manager gets no chance to clean up, as after a crash. */
    public void kill9() {
        if (!isAlive()) return;
        process.destroyForcibly();
        if (!awaitExit(STOP_TIMEOUT)) {
            throw new IllegalStateException("sysbox-mgr (pid " + process.pid() + ") survived SIGKILL for " + STOP_TIMEOUT);
        }
    }

    /** Starts a new manager on the same directories (stale sockets and pid file included). */
    public void restart() {
        if (isAlive()) throw new IllegalStateException("sysbox-mgr (pid " + process.pid() + ") is still running");
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    /** The end of the manager's log and console output, for failure messages. */
    public String logTail() {
        return "--- " + dirs.logFile() + "\n" + tail(dirs.logFile()) + "\n--- " + dirs.consoleFile() + "\n"
                + tail(dirs.consoleFile());
    }

    private void launch() {
        List<String> command = List.of(executable.toString(),
                "--run-dir", dirs.runDir().toString(),
                "--data-root", dirs.dataRoot().toString(),
                "--subuid-file", dirs.subuidFile().toString(),
                "--subgid-file", dirs.subgidFile().toString(),
                "--log", dirs.logFile().toString(),
                "--log-level", DaemonLogLevel.current());
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dirs.consoleFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executable + ": " + e.getMessage(), e);
        }
        awaitReady(command);
    }

    /**
     * Ready means both sockets accept a connection, not merely exist: after a kill -9 the old
     * socket files are still there until the new manager replaces them.
     */
    private void awaitReady(List<String> command) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(String.join(" ", command) + " exited with status "
                        + process.exitValue() + " before its sockets were ready.\n" + logTail());
            }
            if (accepts(dirs.grpcSocket()) && accepts(dirs.cliSocket())) return;
            sleep(POLL);
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(5));
        throw new IllegalStateException(String.join(" ", command) + ": sockets " + dirs.grpcSocket() + " and "
                + dirs.cliSocket() + " not ready within " + READY_TIMEOUT + "; killed it.\n" + logTail());
    }

    public static boolean accepts(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for sysbox-mgr", e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no " + file.getFileName() + ": " + e.getMessage() + ")";
        }
    }
}
