package io.sysbox.setup.container;

import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owner of a joined network namespace is found among the engine's containers by the
 * namespace itself, whatever path names it: real processes in real network namespaces
 * (unshare -n), an engine root holding runc-style state.json files.
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
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":["
                + "{\"type\":\"pid\"},{\"type\":\"network\"" + (netnsPath == null ? "" : ",\"path\":\"" + netnsPath + "\"")
                + "}]}}";
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test config.json");
    }

    @Test
    void theContainerWhoseInitIsInTheJoinedNamespaceOwnsIt() throws Exception {
        Path root = dir.resolve("runc");
        engineContainer(root, "other", other.pid());
        engineContainer(root, "sandbox", sandbox.pid());
        Files.createDirectories(root.resolve("being-created")); // no state.json yet
        String path = "/proc/" + sandbox.pid() + "/ns/net";
        assertEquals(Optional.of("sandbox"), PodOwner.of(spec(path), root, "app"));
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
}
