package io.sysbox.install.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Restarts a daemon on a host without systemd: SIGTERM to the pid its pid file names (only when
 * that process's command line holds the service's name: a stale pid file's pid may belong to
 * another process now), a bounded wait, then the same command line again in a session of its own
 * with its output appended to the service's log. A daemon that writes no pid file cannot be
 * found this way: the answer says to restart it by hand.
 */
public record PidFileControl(HostRoot host, HostCommand command) implements ServiceControl {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String restart(Service service) throws IOException {
        Optional<ProcessHandle> running = running(service);
        List<String> argv = service.startCommand();
        if (argv.isEmpty() && running.isPresent()) argv = commandLine(running.get().pid());
        if (argv.isEmpty()) {
            return service.name() + " is not run by systemd here and " + (service.pidFile() == null
                    ? "writes no pid file" : "its pid file " + service.pidFile() + " names no running " + service.processName())
                    + ": restart it yourself so that it reads its new configuration";
        }
        String stopped = running.isPresent() ? stopProcess(service, running.get()) + "; " : "";
        start(service, argv);
        return stopped + "started " + String.join(" ", argv) + " (output in " + service.log() + ")";
    }

    @Override
    public String stop(Service service) throws IOException {
        Optional<ProcessHandle> running = running(service);
        if (running.isEmpty()) return service.name() + " is not running";
        return stopProcess(service, running.get());
    }

    @Override
    public String unitsChanged() {
        return "no systemd on this host: the units are installed for when it has one";
    }

    private String stopProcess(Service service, ProcessHandle process) throws IOException {
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException(service.name() + " (pid " + process.pid() + ") did not stop within "
                    + STOP_TIMEOUT.toSeconds() + " s of SIGTERM: stop it yourself and run the installer again", e);
        }
        return "stopped " + service.name() + " (pid " + process.pid() + ")";
    }

    private void start(Service service, List<String> argv) throws IOException {
        // sh does the redirections in the host's namespaces; setsid -f detaches it from the installer.
        List<String> line = new ArrayList<>(List.of("setsid", "-f", "sh", "-c",
                "exec \"$0\" \"$@\" >>" + quote(service.log().toString()) + " 2>&1 </dev/null"));
        line.addAll(argv);
        HostCommand.Result r = command.run(line, START_TIMEOUT);
        if (!r.succeeded()) {
            throw new IOException("cannot start " + String.join(" ", argv) + " (exit " + r.status() + "): " + r.output());
        }
    }

    private Optional<ProcessHandle> running(Service service) throws IOException {
        if (service.pidFile() == null) return Optional.empty();
        String content;
        try {
            content = Files.readString(host.resolve(service.pidFile()), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(content);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid <= 1) return Optional.empty();
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) return Optional.empty();
        boolean named = commandLine(pid).stream().anyMatch(word -> word.contains(service.processName()));
        return named ? process : Optional.empty();
    }

    private static List<String> commandLine(long pid) throws IOException {
        try {
            String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            return Arrays.stream(raw.split("\0")).filter(s -> !s.isEmpty()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
