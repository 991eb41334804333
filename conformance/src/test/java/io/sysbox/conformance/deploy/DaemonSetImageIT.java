package io.sysbox.conformance.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sysbox.conformance.CgroupScope;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Dist;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.ProcStatus;
import io.sysbox.conformance.Shutdown;
import io.sysbox.conformance.TreeRemoval;
import io.sysbox.conformance.docker.PrivateDockerd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, the DaemonSet's image: deploy/k8s/build-image.sh builds it from dist/ (cached by its
 * inputs), a private dockerd loads it and runs it as the manifests' pods run (their command,
 * env, ConfigMap, privileged as containerd's CRI grants it, their host mounts taken from a fake host root holding a containerd
 * 1.6 config), against fabric8's mock API server on loopback, reached with --network=host and a
 * kubeconfig. The install DaemonSet's pod installs (files in the host root, node labelled and
 * untainted, RuntimeClass), a second pod changes nothing, the cleanup DaemonSet's pod puts every
 * file back byte for byte and removes label and RuntimeClass.
 *
 * <p>The manifests' {@code hostPID: true} is left out on purpose: with it the program's restarts
 * (nsenter -t 1) would reach this machine's init and start daemons on it. Without it they run in
 * the container's own namespaces, where nothing of the fake host runs; the restarts themselves
 * are SysboxDeployTest's (deploy/k8s).
 */
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class DaemonSetImageIT {
    private static final String NODE = "daemonset-image-node";
    private static final String LABEL = "sysbox-runtime";
    private static final Path CONTAINERD_CONFIG = Path.of("etc/containerd/config.toml");
    /** What Main prints once the work is done and it stays, as a DaemonSet's pod must. */
    private static final String STAYING = "sysbox-deploy: done; staying";
    private static final Duration POD_TIMEOUT = Duration.ofMinutes(5);
    /** Capability names by number (linux/capability.h), as Docker's --cap-drop takes them. */
    private static final List<String> CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
            "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
            "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
            "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
            "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");
    /** A cold image cache runs jlink, the image builder and maybe debootstrap: minutes. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(25);

    @Test
    void theImageInstallsOnAContainerdNodeAndTheCleanupImagePutsEveryByteBack() throws Exception {
        Prerequisites.requireExecutable(PrivateDockerd.DOCKERD, "docker.io");
        Prerequisites.requireExecutable(PrivateDockerd.DOCKER, "docker.io");
        Dist dist = Dist.fromSystemProperty();
        dist.requireBuilt();
        Path repo = dist.root().getParent();
        Path work = Files.createTempDirectory("sysbox-daemonset-image-");
        CgroupScope cgroups = CgroupScope.random();
        List<AutoCloseable> started = new ArrayList<>();
        Throwable failure = null;
        try {
            CommandRunner runner = new CommandRunner(Files.createDirectories(work.resolve("scratch")), Duration.ofMinutes(2));
            Path image = buildImage(repo, work);

            Path dockerWork = Files.createDirectories(work.resolve("docker"));
            Path daemonJson = Files.writeString(dockerWork.resolve("daemon.json"), "{\"deprecated-key-path\": \""
                    + dockerWork.resolve("key.json") + "\", \"cgroup-parent\": \"" + cgroups.pathFor("docker") + "\"}\n");
            PrivateDockerd dockerd = PrivateDockerd.start(dockerWork, daemonJson, runner, Map.of());
            started.addFirst(() -> stopDockerd(dockerd, dockerWork, runner));
            String loaded = require(dockerd, dockerd.docker("load", "-i", image.toString()));

            KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            server.init(InetAddress.getLoopbackAddress(), 0);
            started.addFirst(server::destroy);
            KubernetesClient client = server.createClient();
            started.addFirst(client);
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                    .withLabels(Map.of("kubernetes.io/hostname", NODE)).endMetadata().withNewSpec().endSpec().build()).create();
            Path kubeconfig = Files.writeString(work.resolve("kubeconfig"), kubeconfig(server.getPort()));

            Path manifests = repo.resolve("deploy/k8s/manifests");
            DaemonSet install = client.apps().daemonSets().load(manifests.resolve("30-daemonset.yaml").toFile()).item();
            DaemonSet cleanup = client.apps().daemonSets().load(manifests.resolve("cleanup/sysbox-cleanup-daemonset.yaml").toFile()).item();
            ConfigMap flags = client.configMaps().load(manifests.resolve("20-daemon-flags.yaml").toFile()).item();
            String ref = install.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
            assertTrue(loaded.contains("Loaded image: " + ref), "the archive holds the manifests' image " + ref + ": " + loaded);
            assertEquals(Boolean.TRUE, install.getSpec().getTemplate().getSpec().getHostPID(),
                    "the manifest asks for hostPID, which this test leaves out (see the class comment)");

            Path host = fakeHostRoot(work.resolve("host"), repo);
            Map<String, String> before = TreeSnapshot.of(host);

            String installLog = runPod(dockerd, install, flags, host, kubeconfig, "install");
            assertEquals(1, handlerTables(host.resolve(CONTAINERD_CONFIG)), "one sysbox-runc handler:\n" + installLog);
            assertTrue(Files.isSymbolicLink(host.resolve("usr/local/sbin/sysbox-runc")), "binaries installed:\n" + installLog);
            Path installedRunc = host.resolve("usr/local/lib/sysbox/bin/sysbox-runc");
            assertTrue(Files.isRegularFile(installedRunc) && Files.isExecutable(installedRunc), installedRunc.toString());
            assertTrue(Files.isSymbolicLink(host.resolve("etc/systemd/system/multi-user.target.wants/sysboxd.service")), installLog);
            Node node = client.nodes().withName(NODE).get();
            assertEquals("running", node.getMetadata().getLabels().get(LABEL), installLog);
            assertEquals(NODE, node.getMetadata().getLabels().get("kubernetes.io/hostname"), "other labels stay");
            assertTaintFree(node);
            List<RuntimeClass> classes = client.runtimeClasses().list().getItems();
            assertEquals(1, classes.size(), classes.toString());
            assertEquals("sysbox-runc", classes.getFirst().getMetadata().getName());
            assertEquals("sysbox-runc", classes.getFirst().getHandler());
            assertEquals(Map.of(LABEL, "running"), classes.getFirst().getScheduling().getNodeSelector());

            Map<String, String> installed = TreeSnapshot.of(host);
            String againLog = runPod(dockerd, install, flags, host, kubeconfig, "install-again");
            assertEquals(installed, TreeSnapshot.of(host), "a second pod changes no byte:\n" + againLog);
            assertEquals(1, client.runtimeClasses().list().getItems().size());

            String cleanupLog = runPod(dockerd, cleanup, flags, host, kubeconfig, "cleanup");
            assertEquals(before, TreeSnapshot.of(host), "the cleanup pod restores every file byte for byte:\n" + cleanupLog);
            node = client.nodes().withName(NODE).get();
            assertNull(node.getMetadata().getLabels().get(LABEL), cleanupLog);
            assertEquals(NODE, node.getMetadata().getLabels().get("kubernetes.io/hostname"));
            assertTaintFree(node);
            assertEquals(List.of(), client.runtimeClasses().list().getItems(), cleanupLog);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            List<String> problems = new ArrayList<>(Shutdown.closeAll(started));
            problems.addAll(cgroups.removeAll());
            for (String mount : TreeRemoval.remove(work)) problems.add("had to detach leftover mount: " + mount);
            if (!problems.isEmpty() && failure == null) throw new IllegalStateException("cleanup:\n  " + String.join("\n  ", problems));
        }
    }

    /** build-image.sh's archive, written into WORK; its image builder caches the root filesystem by its inputs. */
    private static Path buildImage(Path repo, Path work) throws IOException {
        Path out = work.resolve("sysbox-deploy-image.tar");
        CommandRunner builder = new CommandRunner(Files.createDirectories(work.resolve("image-scratch")), BUILD_TIMEOUT);
        CommandResult built = builder.run(List.of(repo.resolve("deploy/k8s/build-image.sh").toString(), "--out", out.toString()));
        if (!built.succeeded() || !Files.isRegularFile(out)) throw new AssertionError("build-image.sh failed:\n" + built.describe());
        return out;
    }

    /**
     * A containerd 1.6 node as the manifests' host mounts need it: Debian's `containerd config
     * default` of 1.6 as its config, a containerd binary answering --version as 1.6.20 does,
     * and each directory a hostPath volume names.
     */
    private static Path fakeHostRoot(Path root, Path repo) throws IOException {
        Path config = Files.createDirectories(root.resolve(CONTAINERD_CONFIG).getParent()).resolve("config.toml");
        Files.copy(repo.resolve("deploy/installer/src/test/resources/configs/containerd-1.6-default.toml"), config);
        Path containerd = Files.createDirectories(root.resolve("usr/bin")).resolve("containerd");
        Files.writeString(containerd, "#!/bin/sh\necho 'containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3'\n");
        Files.setAttribute(containerd, "unix:mode", 0755);
        for (String dir : List.of("usr/local/sbin", "etc/systemd/system", "var/lib", "run")) Files.createDirectories(root.resolve(dir));
        return root;
    }

    private static String kubeconfig(int port) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "http://127.0.0.1:%d"}
                users:
                  - name: sysbox-deploy
                    user: {token: "test"}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: sysbox-deploy}
                current-context: mock
                """.formatted(port);
    }

    /**
     * Runs the DaemonSet's pod as a container: its image and command, NODE_NAME (the downward
     * API's spec.nodeName), the ConfigMap's keys as env, privileged, each hostPath volume from
     * HOST at its mount path; then the kubeconfig, on the host's network. Waits until it says it
     * stays, removes it and returns its log; a pod that exits instead fails the test with its log.
     */
    private static String runPod(PrivateDockerd dockerd, DaemonSet daemonSet, ConfigMap flags, Path host, Path kubeconfig,
                                 String name) throws Exception {
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();
        String id = "sysbox-deploy-" + name + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", id, "--network=host"));
        if (Boolean.TRUE.equals(container.getSecurityContext().getPrivileged())) run.addAll(privileged());
        for (EnvVar env : container.getEnv()) {
            String value = env.getValueFrom() != null && "spec.nodeName".equals(env.getValueFrom().getFieldRef().getFieldPath())
                    ? NODE : env.getValue();
            run.addAll(List.of("-e", env.getName() + "=" + value));
        }
        assertEquals(flags.getMetadata().getName(), container.getEnvFrom().getFirst().getConfigMapRef().getName());
        flags.getData().forEach((key, value) -> run.addAll(List.of("-e", key + "=" + value)));
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
            Path source = host.resolve(volume.getHostPath().getPath().substring(1));
            assertTrue(Files.isDirectory(source), "the fake host has " + volume.getHostPath().getPath());
            run.addAll(List.of("-v", source + ":" + mount.getMountPath()));
        }
        run.addAll(List.of("-v", kubeconfig + ":/etc/sysbox-deploy/kubeconfig:ro", "-e", "KUBECONFIG=/etc/sysbox-deploy/kubeconfig"));
        run.add("--entrypoint");
        run.add(container.getCommand().getFirst());
        run.add(container.getImage());
        run.addAll(container.getCommand().subList(1, container.getCommand().size()));
        require(dockerd, dockerd.docker(run.toArray(String[]::new)));
        try {
            long deadline = System.nanoTime() + POD_TIMEOUT.toNanos();
            while (true) {
                String log = logs(dockerd, id);
                if (log.contains(STAYING)) return log;
                String running = dockerd.docker("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", id).stdout().strip();
                if (running.startsWith("false")) throw new AssertionError("the " + name + " pod exited (" + running + "):\n" + logs(dockerd, id));
                if (System.nanoTime() > deadline) throw new AssertionError("the " + name + " pod did not finish within " + POD_TIMEOUT + ":\n" + log);
                Thread.sleep(500);
            }
        } finally {
            require(dockerd, dockerd.docker("rm", "-f", id));
        }
    }

    /**
     * A privileged pod as containerd's CRI makes one: every capability this process has (not
     * Docker's {@code --privileged}, which asks for all the kernel knows and fails here, where
     * root lacks CAP_SYS_RESOURCE), no seccomp or AppArmor profile, no masked paths.
     */
    private static List<String> privileged() {
        long bounding = ProcStatus.self().capabilities("CapBnd");
        List<String> options = new ArrayList<>(List.of("--cap-add", "ALL", "--security-opt", "seccomp=unconfined",
                "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined"));
        for (int cap = 0; cap < CAPABILITIES.size(); cap++) {
            if ((bounding & (1L << cap)) == 0) options.addAll(List.of("--cap-drop", CAPABILITIES.get(cap)));
        }
        return options;
    }

    private static String logs(PrivateDockerd dockerd, String id) {
        CommandResult r = dockerd.docker("logs", id);
        return r.stdout() + r.stderr();
    }

    private static String require(PrivateDockerd dockerd, CommandResult r) {
        if (!r.succeeded()) throw new AssertionError(r.describe() + "\n" + dockerd.logTail());
        return r.stdout().strip();
    }

    private static void assertTaintFree(Node node) {
        assertFalse(node.getSpec().getTaints() != null && node.getSpec().getTaints().stream().anyMatch(t -> t.getKey().equals(LABEL)),
                "no sysbox-runtime taint left: " + node.getSpec().getTaints());
    }

    /** How many tables named sysbox-runc CONFIG holds. */
    private static int handlerTables(Path config) throws IOException {
        return (int) Files.readAllLines(config, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> l.startsWith("[") && l.endsWith("runtimes.sysbox-runc]")).count();
    }

    /** dockerd's SIGTERM stop, then what it leaves by design: its default netns bind under the exec-root. */
    private static void stopDockerd(PrivateDockerd dockerd, Path dockerWork, CommandRunner runner) throws InterruptedException {
        dockerd.stop();
        Path netns = dockerWork.resolve("exec/netns/default");
        if (Files.exists(netns)) {
            CommandResult umount = runner.run(List.of("umount", netns.toString()));
            if (!umount.succeeded()) throw new IllegalStateException("umount " + netns + ": " + umount.describe());
        }
    }
}
