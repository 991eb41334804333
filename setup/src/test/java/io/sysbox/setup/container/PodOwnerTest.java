package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.common.sys.MountApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner of a joined network namespace is found among the engine's containers by the
 * namespace itself, whatever path names it, or for a CRI pod's container by the sandbox its
 * annotations name: real processes in real network namespaces (unshare -n), an engine root
 * holding runc-style state.json files, a namespace bound on a file as CRI-O's pinns leaves it.
 */
class PodOwnerTest {
    @TempDir
    Path dir;
    private Process sandbox;
    private Process other;

    @BeforeEach
    void startProcesses() throws Exception {
        sandbox = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
        other = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
        // unshare execs sleep once the namespace exists: wait until the process is no longer in ours.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Process p : new Process[] {sandbox, other}) {
            while (Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns/net")).equals(
                    Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "unshare -n did not make a namespace");
                Thread.sleep(10);
            }
        }
    }

    @AfterEach
    void stopProcesses() throws Exception {
        for (Process p : new Process[] {sandbox, other}) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void engineContainer(Path root, String id, long pid) throws Exception {
        Files.createDirectories(root.resolve(id));
        Files.writeString(root.resolve(id).resolve("state.json"), "{\"id\":\"" + id + "\",\"init_process_pid\":" + pid + "}");
    }

    private Spec spec(String netnsPath) throws Exception {
        return spec(netnsPath, Map.of());
    }

    private Spec spec(String netnsPath, Map<String, String> annotations) throws Exception {
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":["
                + "{\"type\":\"pid\"},{\"type\":\"network\"" + (netnsPath == null ? "" : ",\"path\":\"" + netnsPath + "\"")
                + "}]},\"annotations\":" + Spec.JSON.writeValueAsString(annotations) + "}";
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test config.json");
    }

    /** The sandbox's network namespace bound on a file, as CRI-O's pinns keeps a pod's (and the handover replaces it). */
    private Path pinned(Process p) throws Exception {
        Path file = Files.createFile(dir.resolve("netns-pinned-" + p.pid()));
        MountApi.mount("/proc/" + p.pid() + "/ns/net", file.toString(), null, MountApi.MS_BIND, null);
        pins.add(file);
        return file;
    }

    private final List<Path> pins = new ArrayList<>();

    @AfterEach
    void unpin() throws Exception {
        for (Path file : pins) MountApi.umount(file.toString(), MountApi.MNT_DETACH);
    }

    @Test
    void theContainerWhoseInitIsInTheJoinedNamespaceOwnsIt() throws Exception {
        Path root = dir.resolve("runc");
        engineContainer(root, "other", other.pid());
        engineContainer(root, "sandbox", sandbox.pid());
        Files.createDirectories(root.resolve("being-created")); // no state.json yet
        String path = "/proc/" + sandbox.pid() + "/ns/net";
        assertEquals(Optional.of(new PodOwner("sandbox", sandbox.pid())), PodOwner.of(spec(path), root, "app"));
        assertEquals(Optional.of(new PodOwner("sandbox", sandbox.pid())), PodOwner.of(spec(pinned(sandbox).toString()), root, "app"),
                "the same namespace by a bound file");
        assertEquals(Optional.empty(), PodOwner.of(spec(path), root, "sandbox"), "never itself");
    }

    @Test
    void aNamespaceOfItsOwnOrOneNoContainerOwnsHasNoOwner() throws Exception {
        Path root = dir.resolve("runc");
        engineContainer(root, "other", other.pid());
        assertEquals(Optional.empty(), PodOwner.of(spec(null), root, "app"));
        assertEquals(Optional.empty(), PodOwner.of(spec("/proc/" + sandbox.pid() + "/ns/net"), root, "app"));
        assertEquals(Optional.empty(), PodOwner.of(spec("/proc/" + sandbox.pid() + "/ns/net"), dir.resolve("none"), "app"));
    }

    @Test
    void aCriPodsContainerIsOwnedByTheSandboxItsAnnotationsNameInEitherRuntimesSpelling() throws Exception {
        Path root = dir.resolve("runc");
        engineContainer(root, "other", other.pid());
        engineContainer(root, "sb", sandbox.pid());
        PodOwner expected = new PodOwner("sb", sandbox.pid());
        // CRI-O: the pod's containers join the pinned namespace files, never /proc/PID paths.
        assertEquals(Optional.of(expected), PodOwner.of(spec(pinned(sandbox).toString(),
                Map.of(CriSandbox.CRIO_SANDBOX_ID, "sb", CriSandbox.CRIO_TYPE, "container")), root, "app"));
        // containerd: /proc/<sandbox>/ns/net.
        assertEquals(Optional.of(expected), PodOwner.of(spec("/proc/" + sandbox.pid() + "/ns/net",
                Map.of(CriSandbox.CONTAINERD_SANDBOX_ID, "sb", CriSandbox.CONTAINERD_TYPE, "container")), root, "app"));
        assertEquals(Optional.of(expected), PodOwner.of(spec(null, Map.of(CriSandbox.CRIO_SANDBOX_ID, "sb")), root, "app"),
                "a container that joins no network namespace by path still joins its pod's user namespace");
        // The sandbox itself names its own id.
        assertEquals(Optional.empty(), PodOwner.of(spec(dir.resolve("netns-pinned-" + sandbox.pid()).toString(),
                Map.of(CriSandbox.CRIO_SANDBOX_ID, "sb")), root, "sb"), "never itself");
    }

    @Test
    void aCriPodsContainerWhoseSandboxIsNotRunningHereOrIsElsewhereOnTheNetworkIsRefused() throws Exception {
        Path root = dir.resolve("runc");
        engineContainer(root, "sb", sandbox.pid());
        InvalidSpecException missing = assertThrows(InvalidSpecException.class, () -> PodOwner.of(spec(pinned(other).toString(),
                Map.of(CriSandbox.CRIO_SANDBOX_ID, "no-infra")), root, "app"));
        assertTrue(missing.getMessage().contains("pod sandbox no-infra") && missing.getMessage().contains("drop_infra_ctr = false"),
                missing.getMessage());
        InvalidSpecException elsewhere = assertThrows(InvalidSpecException.class, () -> PodOwner.of(spec(
                "/proc/" + other.pid() + "/ns/net", Map.of(CriSandbox.CONTAINERD_SANDBOX_ID, "sb")), root, "app"));
        assertTrue(elsewhere.getMessage().contains("is not that of pod sandbox sb"), elsewhere.getMessage());
    }
}
