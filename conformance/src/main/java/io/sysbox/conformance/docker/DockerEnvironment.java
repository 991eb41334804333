package io.sysbox.conformance.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.TestImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Docker suite's world: the suite's private sysbox-mgr (SuiteEnvironment) and a private
 * dockerd that has sysbox-runc (of dist/) registered, passes the manager's run dir to it
 * through containerd's shims (SYSBOX_RUN_DIR), and nests container cgroups under the suite's
 * random prefix (a relative cgroup-parent). Test images come from conformance/images.
 */
public final class DockerEnvironment implements AutoCloseable {
    public static final String RUNTIME = "sysbox-runc";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SuiteEnvironment suite;
    private final PrivateDockerd dockerd;
    private final Path dockerWork;
    private final TestImages testImages;
    private final Map<String, String> images = new HashMap<>();

    private DockerEnvironment(SuiteEnvironment suite, PrivateDockerd dockerd, Path dockerWork) {
        this.suite = suite;
        this.dockerd = dockerd;
        this.dockerWork = dockerWork;
        this.testImages = new TestImages(suite);
    }

    /** Starts the manager and a dockerd with the daemon.json keys EXTRA added (userns-remap...). */
    public static DockerEnvironment start(String name, Map<String, Object> extra) throws IOException, InterruptedException {
        Prerequisites.requireExecutable(PrivateDockerd.DOCKERD, "docker.io");
        Prerequisites.requireExecutable(PrivateDockerd.DOCKER, "docker.io");
        SuiteEnvironment suite = SuiteEnvironment.start(name);
        try {
            Path work = suite.directory("docker");
            ObjectNode config = JSON.createObjectNode();
            config.put("deprecated-key-path", work.resolve("key.json").toString());
            config.putObject("runtimes").putObject(RUNTIME).put("path", suite.dist().sysboxRunc().toString());
            config.put("cgroup-parent", suite.cgroups().pathFor("docker"));
            extra.forEach((k, v) -> config.set(k, JSON.valueToTree(v)));
            Path configFile = work.resolve("daemon.json");
            Files.writeString(configFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            PrivateDockerd dockerd = PrivateDockerd.start(work, configFile, suite.runner(),
                    Map.of("SYSBOX_RUN_DIR", suite.manager().dirs().runDir().toString()));
            return new DockerEnvironment(suite, dockerd, work);
        } catch (IOException | InterruptedException | RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    public SuiteEnvironment suite() {
        return suite;
    }

    public PrivateDockerd dockerd() {
        return dockerd;
    }

    /** `docker ARGS...` against the private daemon. */
    public CommandResult docker(String... args) {
        return dockerd.docker(args);
    }

    /**
     * The output of a command that must succeed (trimmed, without a terminal's CRs); a failure
     * is an AssertionError that carries the command's output and dockerd's last log lines.
     */
    public String require(CommandResult result) {
        if (!result.succeeded()) throw new AssertionError(result.describe() + "\n" + dockerd.logTail());
        return result.stdout().strip().replace("\r", "");
    }

    /** `docker run --runtime=sysbox-runc ARGS...`. */
    public CommandResult run(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "--runtime=" + RUNTIME));
        all.addAll(List.of(args));
        return dockerd.docker(all.toArray(String[]::new));
    }

    /** The reference of a test image (busybox, debian, debian-docker, ...), built and imported once. */
    public String image(String name) throws IOException {
        String ref = images.get(name);
        if (ref != null) return ref;
        CommandResult result = testImages.runner().run(List.of(testImages.script("import-images.sh").toString(),
                "--docker-host", "unix://" + dockerd.socket(), name));
        if (!result.succeeded()) throw new IllegalStateException("importing test image " + name + " failed:\n" + result.describe());
        for (String line : result.stdout().split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals(name)) images.put(name, f[1]);
        }
        ref = images.get(name);
        if (ref == null) throw new IllegalStateException("import-images.sh named no reference for " + name + ":\n" + result.describe());
        return ref;
    }

    /** The rootfs tarball of a test image (cached by conformance/images/build-images.sh). */
    public Path imageTarball(String name) throws IOException {
        return testImages.tarball(name);
    }

    /** Where dockerd's shims run sysbox-runc with --root (the runtime's state root). */
    public Path runtimeRoot() {
        return dockerWork.resolve("exec/runtime-" + RUNTIME + "/moby");
    }

    /**
     * What a stopped dockerd leaves by design: the bind mount of its default network namespace
     * under the exec-root, and its cgroup-parent (our "docker" cgroup under the suite prefix).
     */
    private List<String> removeDaemonLeftovers() {
        List<String> problems = new ArrayList<>();
        Path netns = dockerWork.resolve("exec/netns/default");
        if (Files.exists(netns)) {
            CommandResult umount = suite.runner().run(List.of("umount", netns.toString()));
            if (!umount.succeeded()) problems.add("umount " + netns + ": " + umount.describe());
        }
        for (var hierarchy : suite.cgroups().hierarchies()) {
            Path parent = suite.cgroups().containerDir(hierarchy, "docker");
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                problems.add("rmdir " + parent + ": " + e.getMessage() + " (a container cgroup is still in it)");
            }
        }
        return problems;
    }

    /** Removes every container, stops dockerd, then lets the suite check for leaks and clean up. */
    @Override
    public void close() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        try {
            CommandResult ids = dockerd.docker("ps", "-aq");
            for (String id : ids.stdout().split("\\s+")) {
                if (id.isBlank()) continue;
                CommandResult rm = dockerd.docker("rm", "-f", "-v", id);
                if (!rm.succeeded()) problems.add("docker rm -f " + id + ": " + rm.describe());
            }
        } finally {
            try (var left = Files.list(runtimeRoot().resolve("sysbox"))) {
                left.forEach(dir -> problems.add("sysbox-runc private dir left after docker rm: " + dir));
            } catch (java.nio.file.NoSuchFileException none) {
                // no container ever ran, or all are gone with their directory
            } catch (IOException e) {
                problems.add("cannot list " + runtimeRoot() + ": " + e.getMessage());
            }
            dockerd.stop();
            problems.addAll(removeDaemonLeftovers());
            try {
                suite.close();
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new IllegalStateException("docker suite cleanup:\n  " + String.join("\n  ", problems));
    }
}
