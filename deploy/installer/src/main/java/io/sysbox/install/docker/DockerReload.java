package io.sysbox.install.docker;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tells a running dockerd to reload daemon.json (SIGHUP; dockerd reloads "runtimes" and
 * "default-runtime" among others). The pid comes from dockerd's pidfile and is signalled only when
 * /proc/PID/comm says dockerd: a stale pidfile whose pid now belongs to another process must not
 * get a SIGHUP (which would kill most programs).
 */
public record DockerReload(Path pidFile) {
    public static final Path DEFAULT_PIDFILE = Path.of("/var/run/docker.pid");
    private static final String DOCKERD = "dockerd";
    private static final long KILL_TIMEOUT_SECONDS = 10;

    public ReloadOutcome reload() throws IOException {
        String content;
        try {
            content = Files.readString(pidFile, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return new ReloadOutcome.NotRunning(pidFile, "no pidfile " + pidFile);
        }
        long pid;
        try {
            pid = Long.parseLong(content);
        } catch (NumberFormatException e) {
            return new ReloadOutcome.NotRunning(pidFile, "pidfile " + pidFile + " holds \"" + abbreviate(content)
                    + "\", not a pid");
        }
        if (pid <= 1) {
            return new ReloadOutcome.NotRunning(pidFile, "pidfile " + pidFile + " holds pid " + pid);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        Optional<Instant> started = process.flatMap(p -> p.info().startInstant());
        Optional<String> comm = comm(pid);
        if (process.isEmpty() || comm.isEmpty()) {
            return new ReloadOutcome.NotRunning(pidFile, "pid " + pid + " from " + pidFile + " is not running: stale pidfile");
        }
        if (!comm.get().equals(DOCKERD)) {
            return new ReloadOutcome.NotDockerd(pid, comm.get(), pidFile);
        }
        // The same process as the one whose comm was read, not a pid reused in between.
        if (!process.get().isAlive() || !started.equals(ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()))) {
            return new ReloadOutcome.NotRunning(pidFile, "dockerd (pid " + pid + ") exited while being checked");
        }
        sendHangup(pid);
        return new ReloadOutcome.Signalled(pid, pidFile);
    }

    private static Optional<String> comm(long pid) throws IOException {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** kill(1) rather than a syscall binding: this runs once per install, and needs no native access. */
    private static void sendHangup(long pid) throws IOException {
        Process kill = new ProcessBuilder("kill", "-s", "HUP", Long.toString(pid))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            if (!kill.waitFor(KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IOException("kill -s HUP " + pid + " did not finish within " + KILL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling dockerd (pid " + pid + ")", e);
        }
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (kill.exitValue() != 0) {
            throw new IOException("cannot send SIGHUP to dockerd (pid " + pid + "): kill -s HUP exited with "
                    + kill.exitValue() + (output.isEmpty() ? "" : ": " + output)
                    + "; reload it by hand (kill -HUP " + pid + ") or restart it");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
