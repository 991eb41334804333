package io.sysbox.conformance.docker;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A dockerd on private directories and socket (data-root, exec-root, socket, pidfile, config
 * file), no bridge, no iptables, overlay2, started and stopped by the test that owns it.
 * {@code environment} reaches the runtimes through containerd's shims (SYSBOX_RUN_DIR).
 */
public record PrivateDockerd(Process process, Path socket, Path pidFile, Path log, CommandRunner runner) {
    public static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    public static final Path DOCKER = Path.of("/usr/bin/docker");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Networking and storage as every test dockerd runs (the benchmark gives an inner dockerd the same). */
    public static final List<String> DAEMON_OPTIONS = List.of("--bridge", "none", "--iptables=false", "--storage-driver", "overlay2");

    public static PrivateDockerd start(Path work, Path config, CommandRunner runner, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path socket = work.resolve("docker.sock");
        Path pidFile = work.resolve("docker.pid");
        Path log = work.resolve("dockerd.log");
        List<String> command = new ArrayList<>(List.of(DOCKERD.toString(),
                "--data-root", Files.createDirectories(work.resolve("data")).toString(),
                "--exec-root", Files.createDirectories(work.resolve("exec")).toString(),
                "-H", "unix://" + socket, "--pidfile", pidFile.toString()));
        command.addAll(DAEMON_OPTIONS);
        command.addAll(List.of("--config-file", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        PrivateDockerd dockerd = new PrivateDockerd(builder.start(), socket, pidFile, log, runner);
        try {
            dockerd.awaitReady();
            return dockerd;
        } catch (RuntimeException | IOException | InterruptedException | Error e) {
            dockerd.stop();
            throw e;
        }
    }

    public long pid() {
        return process.pid();
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dockerd exited with status " + process.exitValue() + ":\n" + logTail());
            }
            if (Files.exists(pidFile) && Files.readString(pidFile).strip().equals(Long.toString(pid()))
                    && runner.run(command("version", "--format", "{{.Server.Version}}")).succeeded()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("dockerd did not answer on " + socket + " within " + READY_TIMEOUT + ":\n" + logTail());
    }

    /** `docker -H unix://SOCKET ARGS...`, run to completion (bounded by the runner). */
    public CommandResult docker(String... args) {
        return runner.run(command(args));
    }

    public List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(DOCKER.toString(), "-H", "unix://" + socket));
        command.addAll(List.of(args));
        return command;
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "dockerd log (last lines):\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no dockerd log: " + e.getMessage() + ")";
        }
    }

    /**
     * SIGTERM, which makes dockerd stop the containerd it started; SIGKILL to it and to its
     * descendants (that containerd) if it does not finish in time.
     */
    public void stop() throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> child).join();
            }
        }
    }
}
