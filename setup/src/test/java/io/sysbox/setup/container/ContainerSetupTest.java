package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.common.sys.MountApi;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The setup of a CRI pod's sandbox and containers as CRI-O and containerd write their specs
 * (annotations and namespace paths as dumped from CRI-O 1.32's infra container and containerd
 * 1.6's sandbox): real namespaces pinned on files by a holder process, as pinns leaves them, and
 * resources that record what the setup asks of the manager. Cgroups are left to the engine
 * (systemd-cgroup target) and there is no sysbox-fs, so nothing outside the test's directory is made.
 */
class ContainerSetupTest {
    private static final IdMapping POD = new IdMapping(0, 3_000_000, 65536);

    @TempDir
    Path tmp;
    private Process holder;
    /** The namespaces the handover answers: ones a user namespace of the pod's own owns, as the manager's do. */
    private UnsharedProcess podHolder;
    private final List<Path> handedFiles = new ArrayList<>();
    private final Map<String, Path> pinned = new HashMap<>();
    private Path engineRoot;
    private final Recorder resources = new Recorder();

    @BeforeEach
    void pinPodNamespaces() throws Exception {
        holder = new ProcessBuilder("unshare", "--net", "--ipc", "--uts", "sleep", "60").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.readSymbolicLink(Path.of("/proc", Long.toString(holder.pid()), "ns/uts"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")))) {
            assertTrue(System.nanoTime() < deadline && holder.isAlive(), "unshare did not make the namespaces");
            Thread.sleep(10);
        }
        for (String[] kind : new String[][] {{"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}}) {
            Path file = Files.createDirectories(tmp.resolve("ns/" + kind[1] + "ns")).resolve("pod-uuid");
            Files.createFile(file);
            MountApi.mount("/proc/" + holder.pid() + "/ns/" + kind[1], file.toString(), null, MountApi.MS_BIND, null);
            pinned.put(kind[0], file);
        }
        engineRoot = Files.createDirectories(tmp.resolve("root/runc"));
        podHolder = new UnsharedProcess("user", "--user", "--map-root-user", "--net", "--ipc", "--uts");
    }

    @AfterEach
    void unpin() throws Exception {
        try {
            for (Path file : pinned.values()) MountApi.umount(file.toString(), MountApi.MNT_DETACH);
            for (Path file : handedFiles) MountApi.umount(file.toString(), MountApi.MNT_DETACH);
        } finally {
            podHolder.close();
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What the setup asked; the handover answers files under handed/ (the manager's DATA_ROOT/shifted/ID/network). */
    private final class Recorder implements ContainerResources {
        final List<Preparation> prepared = new ArrayList<>();
        final List<Map<String, Path>> handedOver = new ArrayList<>();

        @Override
        public Prepared prepare(Preparation request) {
            prepared.add(request);
            return new Prepared(POD, POD, request.rootfs().toString(), Map.of(), Map.of(), true, true);
        }

        @Override
        public void release(String id) {}

        @Override
        public boolean managed() {
            return true;
        }

        @Override
        public Optional<PodNamespaces> handOverPodNamespaces(String id, Map<String, Path> joined) {
            handedOver.add(Map.copyOf(joined));
            Path dir = tmp.resolve("handed/" + id);
            Map<String, Path> files = new HashMap<>();
            for (String type : joined.keySet()) files.put(type, pin(dir.resolve(type), type.equals("network") ? "net" : type));
            return Optional.of(new PodNamespaces(pin(dir.resolve("userns"), "user"), files));
        }
    }

    /** FILE made a bind of the pod holder's KIND namespace, as the manager pins the ones it hands over. */
    private Path pin(Path file, String kind) {
        try {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
            MountApi.mount(podHolder.ns(kind).toString(), file.toString(), null, MountApi.MS_BIND, null);
            handedFiles.add(file);
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path bundle(String id, Map<String, String> annotations, Map<String, String> joined) throws IOException {
        Path bundle = Files.createDirectories(tmp.resolve("bundles/" + id));
        Files.createDirectories(bundle.resolve("rootfs"));
        ObjectNode spec = Spec.JSON.createObjectNode();
        spec.put("ociVersion", "1.0.2-dev");
        spec.putObject("process").put("cwd", "/").putArray("args").add("/pause");
        spec.putObject("root").put("path", "rootfs");
        spec.put("hostname", id);
        ArrayNode namespaces = spec.putObject("linux").putArray("namespaces");
        for (String type : List.of("pid", "network", "ipc", "uts", "mount")) {
            ObjectNode ns = namespaces.addObject().put("type", type);
            if (joined.containsKey(type)) ns.put("path", joined.get(type));
        }
        ObjectNode notes = spec.putObject("annotations");
        annotations.forEach(notes::put);
        Files.writeString(bundle.resolve("config.json"), Spec.JSON.writeValueAsString(spec));
        return bundle;
    }

    private Path setUp(String id, Path bundle) throws Exception {
        ContainerSetup setup = new ContainerSetup(resources, Libexec.at(tmp.resolve("libexec")), message -> {});
        return setup.prepare(new ContainerSetup.Target(id, bundle, engineRoot, tmp.resolve("root/sysbox/" + id),
                ProcessHandle.current().pid(), true, false));
    }

    private static Map<String, String> namespacePaths(Path privateDir) throws IOException {
        Map<String, String> paths = new HashMap<>();
        for (JsonNode ns : Spec.JSON.readTree(privateDir.resolve("config.json").toFile()).path("linux").path("namespaces")) {
            paths.put(ns.path("type").asText(), ns.path("path").asText(""));
        }
        return paths;
    }

    private Map<String, String> allPinned() {
        return Map.of("network", pinned.get("network").toString(), "ipc", pinned.get("ipc").toString(),
                "uts", pinned.get("uts").toString());
    }

    @Test
    void aCrioInfraContainerHandsOverThePinnedNetworkIpcAndUtsNamespacesAndJoinsThePodsOwn() throws Exception {
        Path dir = setUp("infra", bundle("infra", Map.of("io.kubernetes.cri-o.ContainerType", "sandbox",
                "io.kubernetes.cri-o.SandboxID", "infra", "io.kubernetes.cri-o.Labels", "{\"io.kubernetes.pod.name\":\"web\","
                        + "\"io.kubernetes.pod.namespace\":\"default\",\"io.kubernetes.pod.uid\":\"uid-1\","
                        + "\"io.kubernetes.container.name\":\"POD\"}"), allPinned()));

        assertEquals(List.of(Map.of("network", pinned.get("network"), "ipc", pinned.get("ipc"), "uts", pinned.get("uts"))),
                resources.handedOver);
        Path handed = tmp.resolve("handed/infra");
        Map<String, String> paths = namespacePaths(dir);
        assertEquals(handed.resolve("userns").toString(), paths.get("user"));
        for (String type : List.of("network", "ipc", "uts")) assertEquals(handed.resolve(type).toString(), paths.get(type), type);
        assertEquals("", paths.get("pid"), "a pid namespace of its own");
        assertEquals(Optional.of(new Preparation.PodName("uid-1", "default", "web")), resources.prepared.getFirst().pod(),
                "the pod named by CRI-O's labels, for a range sysbox-cri may have reserved");
    }

    @Test
    void aContainerdSandboxHandsOverItsNetworkAloneIpcAndUtsBeingNewOnes() throws Exception {
        setUp("pause", bundle("pause", Map.of("io.kubernetes.cri.container-type", "sandbox",
                "io.kubernetes.cri.sandbox-id", "pause"), Map.of("network", pinned.get("network").toString())));
        assertEquals(List.of(Map.of("network", pinned.get("network"))), resources.handedOver);
    }

    @Test
    void aCrioPodContainerJoinsItsSandboxsUserNamespaceAndThePinnedFilesWithoutAHandover() throws Exception {
        // The sandbox's init: the holder, which is in the pinned namespaces (after the handover the
        // pinned files name the sandbox's own; here the holder's user namespace is the host's).
        Files.createDirectories(engineRoot.resolve("infra"));
        Files.writeString(engineRoot.resolve("infra/state.json"), "{\"id\":\"infra\",\"init_process_pid\":" + holder.pid() + "}");
        Path dir = setUp("app", bundle("app", Map.of("io.kubernetes.cri-o.ContainerType", "container",
                "io.kubernetes.cri-o.SandboxID", "infra"), allPinned()));

        assertEquals(List.of(), resources.handedOver, "only a sandbox hands namespaces over");
        Map<String, String> paths = namespacePaths(dir);
        assertEquals("/proc/" + holder.pid() + "/ns/user", paths.get("user"), "the sandbox's user namespace");
        for (String type : List.of("network", "ipc", "uts")) assertEquals(pinned.get(type).toString(), paths.get(type), type);
        List<IdMapping> sandboxMap = resources.prepared.getFirst().uidMappings();
        assertEquals(1, sandboxMap.size());
        assertEquals(0, sandboxMap.getFirst().hostId(), "the sandbox's mapping, read from its uid_map (the host's here)");
    }

    @Test
    void aCrioPodContainerWithoutItsInfraContainerIsRefusedBeforeAnythingIsPrepared() throws Exception {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> setUp("app", bundle("app",
                Map.of("io.kubernetes.cri-o.ContainerType", "container", "io.kubernetes.cri-o.SandboxID", "dropped"),
                allPinned())));
        assertTrue(e.getMessage().contains("drop_infra_ctr"), e.getMessage());
        assertEquals(List.of(), resources.prepared);
    }
}
