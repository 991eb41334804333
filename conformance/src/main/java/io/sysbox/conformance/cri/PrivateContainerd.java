package io.sysbox.conformance.cri;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.install.containerd.ContainerdHandler;
import io.sysbox.install.containerd.ContainerdSchema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A containerd 1.6 with its CRI plugin on private paths (root, state, socket, CNI config, netns
 * mounts under the state dir, each handler's runtime root), started and stopped by the test
 * that owns it. Handlers are `io.containerd.runc.v2` with BinaryName, written by the installer's
 * containerd writer; ENVIRONMENT reaches the runtimes through the shims, which inherit
 * containerd's environment.
 */
public final class PrivateContainerd implements AutoCloseable {
    public static final Path CONTAINERD = Path.of("/usr/bin/containerd");
    public static final Path CTR = Path.of("/usr/bin/ctr");
    public static final Path SHIM = Path.of("/usr/bin/containerd-shim-runc-v2");
    public static final String NAMESPACE = "k8s.io";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Where containerd 1.6 puts its shims' sockets whatever its state dir (not configurable). */
    private static final Path SHIM_SOCKETS = Path.of("/run/containerd/s");

    /** A CRI runtime handler: NAME runs BINARY with `--root ROOT/k8s.io`. */
    public record Handler(String name, Path binary, Path root) {
        /** The handler as the installer writes it (io.containerd.runc.v2, BinaryName, Root). */
        public ContainerdHandler installed() {
            return new ContainerdHandler(name, binary, root);
        }
    }

    private final Process process;
    private final Path dir;
    private final Path socket;
    private final Path log;
    private final List<Handler> handlers;
    private final CommandRunner runner;
    private final boolean shimSocketsExisted;
    private final boolean runContainerdExisted;

    private PrivateContainerd(Process process, Path dir, List<Handler> handlers, CommandRunner runner,
                              boolean runContainerdExisted, boolean shimSocketsExisted) {
        this.process = process;
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        this.log = dir.resolve("containerd.log");
        this.handlers = List.copyOf(handlers);
        this.runner = runner;
        this.runContainerdExisted = runContainerdExisted;
        this.shimSocketsExisted = shimSocketsExisted;
    }

    /**
     * Writes the config under DIR and starts containerd; returns once it answers. SANDBOX_IMAGE
     * must be imported before the first RunPodSandbox (nothing can be pulled here).
     */
    public static PrivateContainerd start(Path dir, CommandRunner runner, List<Handler> handlers, String sandboxImage,
                                          CniBridge network, Map<String, String> environment) throws IOException {
        Path config = dir.resolve("config.toml");
        Files.writeString(config, config(dir, handlers, sandboxImage, network));
        return launch(dir, config, runner, handlers, environment);
    }

    /**
     * Starts containerd on CONFIG (one that {@link #config} wrote, and whoever edited it since: the
     * installer's writer adds its handler there), with DIR for its log; HANDLERS are the ones the
     * config names, for {@link #runtimeRoot}.
     */
    public static PrivateContainerd launch(Path dir, Path config, CommandRunner runner, List<Handler> handlers,
                                           Map<String, String> environment) throws IOException {
        Prerequisites.requireExecutable(CONTAINERD, "containerd");
        Prerequisites.requireExecutable(CTR, "containerd");
        Prerequisites.requireExecutable(SHIM, "containerd");
        boolean runContainerdExisted = Files.exists(SHIM_SOCKETS.getParent());
        boolean shimSocketsExisted = Files.exists(SHIM_SOCKETS);
        ProcessBuilder builder = new ProcessBuilder(CONTAINERD.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        PrivateContainerd containerd = new PrivateContainerd(builder.start(), dir, handlers, runner,
                runContainerdExisted, shimSocketsExisted);
        try {
            containerd.awaitReady();
            return containerd;
        } catch (RuntimeException | Error e) {
            containerd.close();
            throw e;
        }
    }

    /**
     * A containerd 1.6 config (version 2) on private paths under DIR, whose default runtime is the
     * first of HANDLERS; each handler's section is the installer's (one writer of handler sections).
     */
    public static String config(Path dir, List<Handler> handlers, String sandboxImage, CniBridge network) {
        String cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        StringBuilder toml = new StringBuilder("""
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
                [grpc]
                  address = "%1$s/containerd.sock"
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                [%2$s]
                  # The sandbox asks for oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE, which
                  # not every host (nor a node in a container) has: keep it no lower than containerd's.
                  restrict_oom_score_adj = true
                  sandbox_image = "%3$s"
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  netns_mounts_under_state_dir = true
                [%2$s.cni]
                  bin_dir = "%4$s"
                  conf_dir = "%5$s"
                  max_conf_num = 1
                [%2$s.containerd]
                  default_runtime_name = "%6$s"
                """.formatted(dir, cri, sandboxImage, CniBridge.PLUGINS, network.confDir(), handlers.getFirst().name()));
        for (Handler h : handlers) toml.append(h.installed().section(ContainerdSchema.V2));
        return toml.toString();
    }

    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    /** HANDLER's runtime state root as the shim passes it (`--root ROOT/NAMESPACE`). */
    public Path runtimeRoot(String handler) {
        for (Handler h : handlers) if (h.name().equals(handler)) return h.root().resolve(NAMESPACE);
        throw new IllegalArgumentException("no handler " + handler);
    }

    /** `ctr images import` into the CRI's namespace (unpacked for the default snapshotter). */
    public void importImage(Path tarball) {
        CommandResult result = ctr("images", "import", tarball.toString());
        if (!result.succeeded()) throw new IllegalStateException("ctr images import failed:\n" + result.describe() + "\n" + logTail());
    }

    public CommandResult ctr(String... args) {
        List<String> command = new ArrayList<>(List.of(CTR.toString(), "--address", socket.toString(), "--namespace", NAMESPACE));
        command.addAll(List.of(args));
        return runner.run(command);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("containerd exited with status " + process.exitValue() + ":\n" + logTail());
            }
            if (Files.exists(socket) && ctr("version").succeeded()) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for containerd", e);
            }
        }
        throw new IllegalStateException("containerd did not answer on " + socket + " within " + READY_TIMEOUT + ":\n" + logTail());
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "containerd log (last lines):\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no containerd log: " + e.getMessage() + ")";
        }
    }

    /**
     * The shims this containerd started (they daemonize, so they are not its descendants): found by
     * the private socket address on their command line, which no other process can carry.
     */
    public List<ProcessHandle> shims() {
        String address = "-address\0" + socket + "\0";
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).contains(address);
            } catch (IOException | RuntimeException e) {
                return false;  // exited meanwhile, or a kernel thread
            }
        }).toList();
    }

    /**
     * SIGTERM, then a bounded wait; shims still running afterwards (pods not removed) are
     * killed by their pid and reported. Removes /run/containerd/s (and /run/containerd) when
     * this containerd created them and they are empty.
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                problems.add("containerd (pid " + process.pid() + ") ignored SIGTERM for 30 s; killed it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle shim : shims()) {
                problems.add("shim still running after containerd stopped: pid " + shim.pid());
                shim.destroyForcibly();
                shim.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            problems.add("stopping containerd: " + e);
        }
        removeIfCreatedAndEmpty(SHIM_SOCKETS, shimSocketsExisted, problems);
        removeIfCreatedAndEmpty(SHIM_SOCKETS.getParent(), runContainerdExisted, problems);
        if (!problems.isEmpty()) throw new IllegalStateException(String.join("\n  ", problems) + "\n" + logTail());
    }

    private static void removeIfCreatedAndEmpty(Path dir, boolean existed, List<String> problems) {
        if (existed || !Files.isDirectory(dir)) return;
        try (var entries = Files.list(dir)) {
            List<Path> left = entries.toList();
            if (left.isEmpty()) Files.delete(dir);
            else problems.add("left in " + dir + ": " + left);
        } catch (IOException e) {
            problems.add("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
