package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything one suite (or the benchmark) runs against: a private temp tree, a private
 * sysbox-mgr, sysbox-runc with a private --root, a random cgroup prefix, and the containers it
 * created, so that {@link #close()} can remove all of it and report whatever leaked.
 */
public final class SuiteEnvironment implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(10);

    private final Dist dist;
    private final Path work;
    private final CommandRunner runner;
    private final ManagerProcess manager;
    private final SysboxRunc runc;
    private final CgroupScope cgroups;
    private final LeakCheck leakCheck;
    private final Set<String> containers = new LinkedHashSet<>();
    private final List<Path> extraLogs = new ArrayList<>();

    private SuiteEnvironment(Dist dist, Path work, CommandRunner runner, ManagerProcess manager, SysboxRunc runc,
                             CgroupScope cgroups) {
        this.dist = dist;
        this.work = work;
        this.runner = runner;
        this.manager = manager;
        this.runc = runc;
        this.cgroups = cgroups;
        this.leakCheck = new LeakCheck(manager.dirs().dataRoot(), runc.root(), cgroups);
    }

    /** Checks the prerequisites, then starts a private manager for the suite called NAME. */
    public static SuiteEnvironment start(String name) throws IOException {
        Prerequisites.requireAll();
        Dist dist = Dist.fromSystemProperty();
        Path work = Files.createTempDirectory("sysbox-" + name + "-");
        try {
            // Searchable but not listable, like /var/lib: a container's root (an unprivileged host
            // uid) must traverse it to reach the rootfs runc mounts from inside the user namespace.
            Files.setAttribute(work, "unix:mode", 0711);
            Path scratch = Files.createDirectories(work.resolve("scratch"));
            CommandRunner runner = new CommandRunner(scratch, COMMAND_TIMEOUT);
            Path runtimeRoot = Files.createDirectories(work.resolve("runtime-root"));
            CgroupScope cgroups = CgroupScope.random();
            // Started last, so nothing after it can fail and leave it running.
            ManagerProcess manager = ManagerProcess.start(dist.sysboxMgr(), ManagerDirs.under(work));
            SysboxRunc runc = new SysboxRunc(dist.sysboxRunc(), runtimeRoot, manager.dirs().runDir(),
                    work.resolve("sysbox-runc.log"), runner);
            return new SuiteEnvironment(dist, work, runner, manager, runc, cgroups);
        } catch (IOException | RuntimeException e) {
            TreeRemoval.remove(work);
            throw e;
        }
    }

    public Dist dist() {
        return dist;
    }

    public Path work() {
        return work;
    }

    public CommandRunner runner() {
        return runner;
    }

    public ManagerProcess manager() {
        return manager;
    }

    public SysboxRunc runc() {
        return runc;
    }

    public CgroupScope cgroups() {
        return cgroups;
    }

    public LeakCheck leakCheck() {
        return leakCheck;
    }

    /** A fresh container id starting with HINT, remembered so that cleanup deletes it. */
    public String newContainerId(String hint) {
        byte[] bytes = new byte[3];
        ThreadLocalRandom.current().nextBytes(bytes);
        String id = hint + "-" + HexFormat.of().formatHex(bytes);
        containers.add(id);
        return id;
    }

    /** A busybox bundle for container ID, its cgroup under this suite's prefix. */
    public BusyboxBundle bundle(String id) throws IOException {
        return BusyboxBundle.create(work.resolve("bundles").resolve(id), runc, cgroups.pathFor(id));
    }

    /** A directory of the suite's temp tree (for bind sources, sockets, pid files). */
    public Path directory(String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    /** A directory only root can reach: below a 0700 directory of the suite's temp tree. */
    public Path rootOnlyDirectory(String name) throws IOException {
        Path guard = Files.createDirectories(work.resolve("root-only"));
        Files.setAttribute(guard, "unix:mode", 0700);
        return Files.createDirectories(guard.resolve(name));
    }

    /**
     * `delete --force` of every container handed out; one the runtime fails to delete is removed
     * through runc's own state (so no process survives the suite) and reported.
     */
    public List<String> deleteContainers() {
        List<String> problems = new ArrayList<>();
        for (String id : containers) {
            CommandResult result = runc.run("delete", "--force", id);
            if (!engineHas(id)) continue;
            problems.add("sysbox-runc delete --force " + id + " left the container in place:\n" + result.describe());
            CommandResult fallback = runner.run(List.of(Prerequisites.RUNC.toString(), "--root", engineRoot().toString(),
                    "delete", "--force", id));
            if (!fallback.succeeded()) problems.add("runc delete --force " + id + " failed too:\n" + fallback.describe());
        }
        containers.clear();
        return problems;
    }

    /** Leaks that remain after a short wait (release can trail a foreground run's exit). */
    public List<String> awaitNoLeaks() {
        return leakCheck.awaitClean(RELEASE_TIMEOUT);
    }

    /** Where sysbox-runc keeps the low-level runtime's state (design.md: ROOT/runc). */
    public Path engineRoot() {
        return runc.root().resolve("runc");
    }

    private boolean engineHas(String id) {
        if (!Files.isDirectory(engineRoot())) return false;
        return runner.run(List.of(Prerequisites.RUNC.toString(), "--root", engineRoot().toString(), "state", id)).succeeded();
    }

    /** Also keep FILE (a daemon the suite started: containerd, sysbox-cri) when the temp tree goes. */
    public void keepLog(Path file) {
        extraLogs.add(file);
    }

    /**
     * Copies the runtime's, the manager's and sysbox-fs's logs to -Dsysbox.conformance.logs (failsafe sets it
     * under target/) before the temp tree goes, so a failure can still be explained.
     */
    private void keepLogs() {
        String target = System.getProperty("sysbox.conformance.logs");
        if (target == null) return;
        try {
            Path dir = Files.createDirectories(Path.of(target).resolve(work.getFileName().toString()));
            // sysbox-fs's files exist only in suites that start one (SysboxFsProcess).
            List<Path> logs = new ArrayList<>(List.of(work.resolve("sysbox-runc.log"), manager.dirs().logFile(),
                    manager.dirs().consoleFile(), work.resolve("sysbox-fs.log"), work.resolve("sysbox-fs.console")));
            logs.addAll(extraLogs);
            for (Path log : logs) {
                if (Files.exists(log)) Files.copy(log, dir.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep the logs of " + work + ": " + e.getMessage());
        }
    }

    /** Deletes containers, checks for leaks, stops the manager, removes cgroups and temp files. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>(deleteContainers());
        problems.addAll(awaitNoLeaks());
        try {
            manager.stop();
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        problems.addAll(cgroups.removeAll());
        keepLogs();
        try {
            for (String mount : TreeRemoval.remove(work)) problems.add("had to detach leftover mount: " + mount);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("suite cleanup found problems:\n  " + String.join("\n  ", problems));
        }
    }
}
