package io.sysbox.conformance.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CgroupHierarchy;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import io.sysbox.conformance.TreeRemoval;
import io.sysbox.conformance.docker.DockerEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the reliability suites run against: the suite's private sysbox-mgr and sysbox-fs (as
 * sysboxd runs them) and, where Docker takes part, a private dockerd with sysbox-runc registered;
 * system containers of both kinds, and the leak checks over all of them.
 */
final class ReliabilityWorld implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final SuiteEnvironment env;
    private final DockerEnvironment docker;
    private final SysboxFsProcess fs;
    private String busyboxImage;

    private ReliabilityWorld(SuiteEnvironment env, DockerEnvironment docker, SysboxFsProcess fs) {
        this.env = env;
        this.docker = docker;
        this.fs = fs;
    }

    /** With a private dockerd (Docker containers too). */
    static ReliabilityWorld withDocker(String name) throws Exception {
        DockerEnvironment docker = DockerEnvironment.start(name, java.util.Map.of());
        try {
            ReliabilityWorld world = new ReliabilityWorld(docker.suite(), docker, SysboxFsProcess.start(docker.suite()));
            world.busyboxImage = docker.image("busybox");
            return world;
        } catch (Exception | Error e) {
            docker.close();
            throw e;
        }
    }

    /** Bundles only. */
    static ReliabilityWorld bundlesOnly(String name) throws IOException {
        SuiteEnvironment env = SuiteEnvironment.start(name);
        try {
            return new ReliabilityWorld(env, null, SysboxFsProcess.start(env));
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    SuiteEnvironment env() {
        return env;
    }

    SysboxFsProcess fs() {
        return fs;
    }

    /** The pids of the daemons the suite started (dockerd included: its containerd and shims are below it). */
    List<Long> daemonPids() {
        List<Long> pids = new ArrayList<>(List.of(env.manager().pid(), fs.pid()));
        if (docker != null) pids.add(docker.dockerd().pid());
        return pids;
    }

    List<DaemonFigures> figures() {
        return List.of(DaemonFigures.of("sysbox-mgr", env.manager().pid()), DaemonFigures.of("sysbox-fs", fs.pid()));
    }

    HostCensus census() {
        return HostCensus.take(env.work(), env.cgroups(), daemonPids());
    }

    /** A busybox bundle running `sleep 3600`, started with `run --detach`. */
    SystemContainer.Bundle startBundle(String hint) throws IOException {
        String id = env.newContainerId(hint);
        BusyboxBundle bundle = env.bundle(id);
        CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), () -> "run --detach " + id + ":\n" + run.describe() + "\n" + fs.logTail());
        return new SystemContainer.Bundle(id);
    }

    SystemContainer.Docker startDocker() {
        return new SystemContainer.Docker(docker.require(docker.run("-d", busyboxImage, "sleep", "3600")));
    }

    /** stdout of `sh -c COMMAND` inside C, which must succeed. */
    String exec(SystemContainer c, String command) {
        CommandResult result = switch (c) {
            case SystemContainer.Bundle b -> env.runc().run("exec", b.id(), "sh", "-c", command);
            case SystemContainer.Docker d -> docker.docker("exec", d.id(), "sh", "-c", command);
        };
        assertTrue(result.succeeded(), () -> "exec in " + c + ": " + result.describe() + "\n" + fs.logTail());
        return result.stdout();
    }

    boolean running(SystemContainer c) throws IOException {
        return switch (c) {
            case SystemContainer.Bundle b -> {
                CommandResult state = env.runc().run("state", b.id());
                yield state.succeeded() && JSON.readTree(state.stdout()).path("status").asText().equals("running");
            }
            case SystemContainer.Docker d -> docker.docker("inspect", "-f", "{{.State.Running}}", d.id())
                    .stdout().strip().equals("true");
        };
    }

    long initPid(SystemContainer c) throws IOException {
        long pid = switch (c) {
            case SystemContainer.Bundle b -> {
                CommandResult state = env.runc().run("state", b.id());
                assertTrue(state.succeeded(), state::describe);
                yield JSON.readTree(state.stdout()).path("pid").asLong();
            }
            case SystemContainer.Docker d -> Long.parseLong(docker.require(docker.docker("inspect", "-f", "{{.State.Pid}}", d.id())));
        };
        assertTrue(pid > 0, "no init pid for " + c);
        return pid;
    }

    /** The host's view of C's uid map (its init's /proc/PID/uid_map), whitespace normalised. */
    String uidMap(SystemContainer c) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(initPid(c)), "uid_map")).strip().replaceAll("\\s+", " ");
    }

    /** Deletes C the way its engine does: `delete --force`, or `docker rm -f`. */
    void delete(SystemContainer c) {
        CommandResult result = switch (c) {
            case SystemContainer.Bundle b -> env.runc().run("delete", "--force", b.id());
            case SystemContainer.Docker d -> docker.docker("rm", "-f", d.id());
        };
        assertTrue(result.succeeded(), () -> "deleting " + c + ": " + result.describe());
        if (c instanceof SystemContainer.Bundle b) TreeRemoval.remove(env.work().resolve("bundles").resolve(b.id()));
    }

    /** The containers sysbox-fs has a directory for. */
    List<String> registrations() throws IOException {
        try (Stream<Path> dirs = Files.list(fs.mountpoint())) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".ro")).sorted().toList();
        }
    }

    /**
     * Everything a deleted container may leave, waited for up to SETTLE: the suite's leak check
     * (mounts, records, clones, special dirs, private dirs, runtime state, cgroups; dockerd's
     * cgroup-parent is the daemon's, not a container's), Docker's sysbox-runc state, sysbox-fs's
     * registrations and saved states.
     */
    List<String> leaks() {
        Set<Path> dockerParents = new java.util.HashSet<>();
        if (docker != null) {
            for (CgroupHierarchy h : env.cgroups().hierarchies()) dockerParents.add(env.cgroups().containerDir(h, "docker"));
        }
        return LeakCheck.awaitEmpty(() -> {
            List<String> found = new ArrayList<>();
            List<String> suiteLeaks;
            try {
                suiteLeaks = env.leakCheck().leaks();
            } catch (RuntimeException e) {
                // A cgroup or directory removed while being listed: something is still being cleaned up.
                return List.of("listing raced with a removal: " + e.getMessage());
            }
            for (String leak : suiteLeaks) {
                if (dockerParents.stream().noneMatch(p -> leak.equals("cgroup: " + p))) found.add(leak);
            }
            if (docker != null) {
                LeakCheck.entries(docker.runtimeRoot().resolve("sysbox"), "docker's sysbox-runc private dir", found);
                LeakCheck.entries(docker.runtimeRoot().resolve("runc"), "docker's low-level runtime state", found);
            }
            try {
                for (String id : registrations()) found.add("sysbox-fs registration: " + id);
            } catch (IOException e) {
                found.add("cannot list sysbox-fs's mount: " + e.getMessage());
            }
            LeakCheck.entries(env.manager().dirs().runDir().resolve("sysfs/containers"), "sysbox-fs saved registration", found);
            LeakCheck.entries(env.manager().dirs().runDir().resolve("sysfs/states"), "sysbox-fs saved state", found);
            return found;
        }, SETTLE);
    }

    void assertNoLeaks(String when) {
        assertEquals(List.of(), leaks(), "leftovers " + when);
    }

    /**
     * True once PID has exited within TIMEOUT; a zombie counts as exited (its parent, whoever
     * adopted the container's init, has not reaped it yet, but it runs nothing and holds nothing).
     */
    static boolean awaitExited(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) return true;
            } catch (IOException gone) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** /proc/loadavg's first three fields. */
    static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** Containers first (Docker's by dockerd), then sysbox-fs, then dockerd and the suite. */
    @Override
    public void close() throws Exception {
        try {
            if (docker != null) {
                for (String id : docker.docker("ps", "-aq").stdout().split("\\s+")) {
                    if (!id.isBlank()) docker.docker("rm", "-f", "-v", id);
                }
            }
            env.deleteContainers();
        } finally {
            try {
                fs.close();
            } finally {
                if (docker != null) docker.close();
                else env.close();
            }
        }
    }
}
