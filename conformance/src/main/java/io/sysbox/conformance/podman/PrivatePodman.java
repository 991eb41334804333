package io.sysbox.conformance.podman;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.MountEntry;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.TreeRemoval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Debian's podman 4.3 with conmon, running one OCI runtime ({@link OciRuntime}) on a directory
 * of its own, as a test starts and stops it (podman has no daemon: "started" means configured).
 *
 * <p>Private: storage (--root, and --runroot in a short temp dir of its own: containers/storage
 * refuses one of more than 50 characters), libpod's tmpdir (--tmpdir: locks, exit
 * files, events), image copy tmpdir, network config dir and hooks dir, through its own
 * containers.conf, storage.conf and registries.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF,
 * CONTAINERS_REGISTRIES_CONF; with CONTAINERS_CONF set podman reads no other containers.conf).
 * No registry: {@code pull_policy = "never"}, images come from {@link #load} of a docker archive.
 * Network: {@code netns = "none"}. Locks: {@code lock_type = "file"} under the tmpdir, not the
 * host-wide /dev/shm/libpod_lock segment.
 *
 * <p>Cgroups: cgroupfs, and `run`/`create` get {@code --cgroup-parent CGROUP_PARENT}, a relative
 * path (containers.conf has no key for it) that runc resolves below the cgroup of the process
 * that runs it, as the suites' relative cgroupsPath does. {@code cgroups = "no-conmon"}: podman
 * would otherwise put conmon into PARENT/conmon joined to each hierarchy's root, outside the
 * test's own cgroup (its v1 memory cgroup is not the root here); conmon stays in the test's.
 *
 * <p>Resource limits, on a host whose root lacks CAP_SYS_RESOURCE: podman 4.3 writes
 * RLIMIT_NOFILE and RLIMIT_NPROC = 1048576 into every spec and lowers its own RLIMIT_NPROC to
 * kernel.pid_max, so even plain runc fails every container ("error setting rlimits for ready
 * process: error setting rlimit type 7 (6): operation not permitted"). {@code --ulimit host}
 * does not help in 4.3: it copies the limits podman had before lowering NPROC, which fails the
 * same way. What works is containers.conf {@code default_ulimits} at the limits podman runs
 * with ({@link PodmanUlimits}: nofile = this process's hard limit, nproc = min(hard, pid_max)).
 * Podman sets no oom_score_adj of its own (rootful 4.3), so nothing else is needed. Both
 * runtimes get the same settings.
 *
 * <p>{@link #close()} removes every container, checks that nothing of podman's is left (see
 * {@link #leaks()}) and removes both directories; the runtime's own leftovers (state root, id
 * ranges) are the caller's to check.
 */
public final class PrivatePodman implements AutoCloseable {
    public static final Path PODMAN = Path.of("/usr/bin/podman");
    public static final Path CONMON = Path.of("/usr/bin/conmon");
    private static final Set<String> CREATING = Set.of("run", "create");
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final Path dir;
    private final Path runRoot;
    private final OciRuntime runtime;
    private final Path wrapper;
    private final String cgroupParent;
    private final CommandRunner runner;
    private final List<String> prefix;

    private PrivatePodman(Path dir, Path runRoot, OciRuntime runtime, Path wrapper, String cgroupParent,
                          CommandRunner runner, List<String> prefix) {
        this.dir = dir;
        this.runRoot = runRoot;
        this.runtime = runtime;
        this.wrapper = wrapper;
        this.cgroupParent = cgroupParent;
        this.runner = runner;
        this.prefix = List.copyOf(prefix);
    }

    /** A podman on DIR (created; searchable only) with an empty hooks dir of its own. */
    public static PrivatePodman start(Path dir, OciRuntime runtime, String cgroupParent, CommandRunner runner)
            throws IOException {
        return start(dir, runtime, cgroupParent, Files.createDirectories(dir.resolve("hooks.d")), runner);
    }

    /** The same with HOOKS_DIR as podman's only OCI hooks directory (containers.conf hooks_dir). */
    public static PrivatePodman start(Path dir, OciRuntime runtime, String cgroupParent, Path hooksDir,
                                      CommandRunner runner) throws IOException {
        Prerequisites.requireExecutable(PODMAN, "podman");
        Prerequisites.requireExecutable(CONMON, "conmon");
        Files.createDirectories(dir);
        // Like the suites' temp trees: a container's root (an unprivileged host uid) may traverse it.
        Files.setAttribute(dir, "unix:mode", 0711);
        Path storage = Files.createDirectories(dir.resolve("storage"));
        // Not under DIR: containers/storage refuses a runroot longer than 50 characters.
        Path runRoot = Files.createTempDirectory("podman-run-");
        Files.setAttribute(runRoot, "unix:mode", 0711);
        try {
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Path wrapper = runtime.writeWrapper(dir.resolve("bin"));
            Path containersConf = dir.resolve("containers.conf");
            Files.writeString(containersConf, containersConf(dir, tmp, hooksDir, PodmanUlimits.ofThisProcess()));
            Path storageConf = dir.resolve("storage.conf");
            Files.writeString(storageConf, "[storage]\ndriver = \"overlay\"\ngraphroot = " + toml(storage)
                    + "\nrunroot = " + toml(runRoot) + "\n");
            Path registriesConf = dir.resolve("registries.conf");
            Files.writeString(registriesConf, "unqualified-search-registries = []\n");
            List<String> prefix = List.of("/usr/bin/env",
                    "CONTAINERS_CONF=" + containersConf, "CONTAINERS_STORAGE_CONF=" + storageConf,
                    "CONTAINERS_REGISTRIES_CONF=" + registriesConf, "TMPDIR=" + tmp,
                    PODMAN.toString(), "--root", storage.toString(), "--runroot", runRoot.toString(),
                    "--tmpdir", tmp.toString(), "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs",
                    "--events-backend", "file", "--runtime", wrapper.toString());
            return new PrivatePodman(dir, runRoot, runtime, wrapper, cgroupParent, runner, prefix);
        } catch (IOException | RuntimeException e) {
            TreeRemoval.remove(runRoot);
            throw e;
        }
    }

    private static String containersConf(Path dir, Path tmp, Path hooksDir, PodmanUlimits ulimits) throws IOException {
        return String.join("\n",
                "[containers]",
                "netns = \"none\"",
                "cgroups = \"no-conmon\"",
                "default_ulimits = " + tomlList(ulimits.defaultUlimits()),
                "",
                "[engine]",
                "cgroup_manager = \"cgroupfs\"",
                "events_logger = \"file\"",
                "events_logfile_path = " + toml(tmp.resolve("events.log")),
                "lock_type = \"file\"",
                "tmp_dir = " + toml(tmp),
                "image_copy_tmp_dir = " + toml(Files.createDirectories(dir.resolve("image-tmp"))),
                "volume_path = " + toml(dir.resolve("storage/volumes")),
                "hooks_dir = " + tomlList(List.of(hooksDir.toString())),
                "pull_policy = \"never\"",
                // runc and crun are podman's default list; sysbox-runc writes runc's JSON log lines.
                "runtime_supports_json = " + tomlList(List.of("crun", "runc", "sysbox-runc")),
                "",
                "[network]",
                "network_config_dir = " + toml(Files.createDirectories(dir.resolve("networks"))),
                "");
    }

    public Path dir() {
        return dir;
    }

    public OciRuntime runtime() {
        return runtime;
    }

    /** The runtime as podman runs it (its wrapper), for calling it the same way: `state ID`. */
    public CommandResult runtimeCall(String... args) {
        List<String> command = new ArrayList<>(List.of(wrapper.toString()));
        command.addAll(List.of(args));
        return runner.run(command);
    }

    /**
     * `podman ARGS...` with the private settings, run to completion (bounded by the runner); a
     * first word `run` or `create` also gets --cgroup-parent.
     */
    public CommandResult run(String... args) {
        List<String> command = new ArrayList<>(prefix);
        for (int i = 0; i < args.length; i++) {
            command.add(args[i]);
            if (i == 0 && CREATING.contains(args[0])) command.addAll(List.of("--cgroup-parent", cgroupParent));
        }
        return runner.run(command);
    }

    /** `podman load -i ARCHIVE` (docker-archive or oci-archive); fails if podman does. */
    public void load(Path archive) {
        CommandResult result = run("load", "-i", archive.toString());
        if (!result.succeeded()) throw new IllegalStateException("podman load failed:\n" + result.describe());
    }

    /**
     * What podman left: containers it still lists, mounts under its directory (container
     * rootfs, shm), and processes whose command line names its directory (conmon, `podman
     * container cleanup`); one line each, empty when clean.
     */
    public List<String> leaks() {
        List<String> leaks = new ArrayList<>();
        CommandResult ps = run("ps", "-aq");
        if (!ps.succeeded()) leaks.add("podman ps failed: " + ps.describe());
        for (String id : ps.stdout().split("\\s+")) {
            if (!id.isBlank()) leaks.add("podman container: " + id);
        }
        for (MountEntry mount : MountEntry.current()) {
            if (mount.mountPoint().startsWith(dir) || mount.mountPoint().startsWith(runRoot)) {
                leaks.add("mount: " + mount.line());
            }
        }
        for (ProcessHandle process : processes()) {
            leaks.add("process " + process.pid() + ": " + commandLine(process.pid()));
        }
        return leaks;
    }

    /** Processes podman started for this directory that are still alive. */
    private List<ProcessHandle> processes() {
        String marker = dir.toString() + "/";
        String runMarker = runRoot.toString() + "/";
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> {
                    String line = commandLine(p.pid());
                    return line.contains(marker) || line.contains(runMarker);
                })
                .toList();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";  // exited meanwhile
        }
    }

    /**
     * Removes every container (`rm -fa -t 0`), waits for conmon and its cleanup processes to
     * finish, then removes the directory; whatever was left is reported (and processes it
     * started are killed by their pid, mounts detached) in one IllegalStateException.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        CommandResult rm = run("rm", "-fa", "-t", "0");
        if (!rm.succeeded()) problems.add("podman rm -fa: " + rm.describe());
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> left = leaks();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep();
            left = leaks();
        }
        problems.addAll(left);
        for (ProcessHandle process : processes()) {
            process.destroyForcibly();
            process.onExit().completeOnTimeout(process, 5, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        for (Path tree : List.of(runRoot, dir)) {
            try {
                for (String mount : TreeRemoval.remove(tree)) problems.add("had to detach " + mount);
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("podman (" + runtime.name() + ") cleanup:\n  " + String.join("\n  ", problems));
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for podman's processes", e);
        }
    }

    /** A TOML basic string. */
    private static String toml(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String tomlList(List<String> values) {
        return values.stream().map(PrivatePodman::toml).collect(Collectors.joining(", ", "[", "]"));
    }
}
