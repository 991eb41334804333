package io.sysbox.conformance.docker;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 3, acceptance 3 and 5: Docker inside a system container (the debian-docker test image,
 * no --privileged): overlay2 on the manager's special /var/lib/docker, inner images kept across
 * stop/start, the host directory gone after docker rm, a named volume on /var/lib/docker that
 * outlives the container and is refused to a second one while the first runs.
 */
class DockerInDockerIT {
    private static DockerEnvironment env;
    /** As sysboxd runs it: every system container gets its emulated /proc and /sys. */
    private static SysboxFsProcess fs;
    private static String debianDocker;
    /** The busybox rootfs tarball (from the image builder), for `docker import` inside. */
    private static Path innerImage;

    @BeforeAll
    static void start() throws Exception {
        env = DockerEnvironment.start("dind", Map.of());
        fs = SysboxFsProcess.start(env.suite());
        debianDocker = env.image("debian-docker");
        Path images = env.suite().rootOnlyDirectory("inner-images");
        innerImage = images.resolve("busybox.tar");
        Files.copy(env.imageTarball("busybox"), innerImage);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (fs != null) fs.close();
        } finally {
            if (env != null) env.close();
        }
    }

    private static String ok(CommandResult r) {
        assertTrue(r.succeeded(), r.describe() + "\n" + env.dockerd().logTail());
        return r.stdout().strip();
    }

    /** A system container running dockerd as its main process. */
    private static String startInnerDocker(String image, String... extraRunArgs) throws InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("-d", "-v", innerImage.getParent() + ":/images:ro"));
        args.addAll(List.of(extraRunArgs));
        args.addAll(List.of(image, "dockerd"));
        String id = ok(env.run(args.toArray(String[]::new)));
        awaitInnerDocker(id);
        return id;
    }

    private static void awaitInnerDocker(String id) throws InterruptedException {
        await(() -> env.docker("exec", id, "docker", "info").succeeded(), 90,
                () -> "inner dockerd of " + id + " did not answer:\n" + env.docker("logs", "--tail", "30", id).describe());
    }

    private static void await(BooleanSupplier condition, int seconds, java.util.function.Supplier<String> why)
            throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail(why.get());
            Thread.sleep(500);
        }
    }

    private static String fullId(String id) {
        return ok(env.docker("inspect", "-f", "{{.Id}}", id));
    }

    private static Path specialDir(String id) {
        return env.suite().manager().dirs().dataRoot().resolve("docker").resolve(fullId(id));
    }

    @Test
    void innerDockerUsesOverlay2AndKeepsItsImagesAcrossStopStart() throws Exception {
        String id = startInnerDocker(debianDocker);
        assertTrue(ok(env.docker("exec", id, "docker", "info")).contains("Storage Driver: overlay2"));
        ok(env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox"));
        assertEquals("ok", ok(env.docker("exec", id, "docker", "run", "--rm", "inner-busybox", "echo", "ok")));
        Path hostDir = specialDir(id);
        assertTrue(Files.isDirectory(hostDir), "the special /var/lib/docker of the container: " + hostDir);

        ok(env.docker("stop", "-t", "5", id));
        ok(env.docker("start", id));
        awaitInnerDocker(id);
        assertTrue(ok(env.docker("exec", id, "docker", "images", "--format", "{{.Repository}}")).contains("inner-busybox"),
                "the inner image survives stop/start");

        ok(env.docker("rm", "-f", id));
        await(() -> !Files.exists(hostDir), 30, () -> hostDir + " is still there after docker rm");
    }

    /**
     * Issue 11, acceptance 3: inner runc mounts proc for an inner container (through a
     * descriptor of the target, /proc/self/fd/N); sysbox-fs makes it a replica of the system
     * container's /proc, so the inner container reads the system container's uptime and MemTotal
     * (the system container's memory limit), not the host's; overlayfs keeps working inside (the
     * inner container's rootfs is overlay2's).
     */
    @Test
    void innerContainersSeeTheSystemContainersEmulatedProc() throws Exception {
        String id = startInnerDocker(debianDocker, "--memory", "512m");
        ok(env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox"));
        String memTotal = ok(env.docker("exec", id, "grep", "MemTotal", "/proc/meminfo"));
        assertEquals("MemTotal:         524288 kB", memTotal, "the system container's limit");
        double before = uptime(ok(env.docker("exec", id, "cat", "/proc/uptime")));
        String inner = ok(env.docker("exec", id, "docker", "run", "--rm", "inner-busybox", "sh", "-c",
                "grep MemTotal /proc/meminfo; cat /proc/uptime; grep ' / ' /proc/self/mountinfo"));
        double after = uptime(ok(env.docker("exec", id, "cat", "/proc/uptime")));
        List<String> lines = inner.lines().toList();
        assertEquals(memTotal, lines.get(0), "the inner container's MemTotal: " + inner);
        double innerUptime = uptime(lines.get(1));
        assertTrue(innerUptime >= before - 1 && innerUptime <= after + 1,
                "the inner container's uptime " + innerUptime + " is the system container's (" + before + " to " + after + ")");
        double host = uptime(Files.readString(Path.of("/proc/uptime")));
        assertTrue(host > after + 30, "the host's uptime " + host + " is not what the inner container reads");
        assertTrue(lines.get(2).contains(" - overlay "), "the inner container's root is overlayfs: " + inner);
        ok(env.docker("rm", "-f", id));
    }

    private static double uptime(String content) {
        return Double.parseDouble(content.strip().split(" ")[0]);
    }

    /**
     * sysbox-fs serves /sys/devices/virtual, but its net directory stays the container's own
     * sysfs: the bridges and veths inner Docker makes are there, where it and its tools look.
     */
    @Test
    void innerDockersBridgesAndVethsAreInTheContainersSysfs() throws Exception {
        String id = startInnerDocker(debianDocker);
        ok(env.docker("exec", id, "test", "-f", "/sys/devices/virtual/dmi/id/product_uuid"));
        String network = ok(env.docker("exec", id, "docker", "network", "create", "inner-net"));
        String bridge = "br-" + network.substring(0, 12);
        ok(env.docker("exec", id, "test", "-d", "/sys/devices/virtual/net/" + bridge + "/bridge"));
        ok(env.docker("exec", id, "test", "-d", "/sys/class/net/" + bridge + "/bridge"));
        assertFalse(Files.exists(Path.of("/sys/class/net", bridge)), "the bridge is the container's, not the host's");
        ok(env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox"));
        ok(env.docker("exec", id, "docker", "run", "-d", "--name", "peer", "--network", "inner-net", "inner-busybox",
                "sleep", "60"));
        String links = ok(env.docker("exec", id, "ls", "/sys/devices/virtual/net/" + bridge + "/brif"));
        assertTrue(links.startsWith("veth"), "the inner container's veth on the bridge: " + links);
        ok(env.docker("rm", "-f", id));
    }

    @Test
    void commitKeepsTheInnerImages() throws Exception {
        String id = startInnerDocker(debianDocker);
        ok(env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox"));
        ok(env.docker("stop", "-t", "5", id));
        ok(env.docker("commit", id, "sysbox-it/dind-committed:latest"));
        ok(env.docker("rm", "-f", id));
        String copy = startInnerDocker("sysbox-it/dind-committed:latest");
        assertTrue(ok(env.docker("exec", copy, "docker", "images", "--format", "{{.Repository}}")).contains("inner-busybox"),
                "a container of the committed image lists the inner image without loading it");
        ok(env.docker("rm", "-f", copy));
        ok(env.docker("rmi", "sysbox-it/dind-committed:latest"));
    }

    /**
     * An inner image whose top layer deletes a file holds an inner whiteout, which the outer
     * layer cannot hold as a file: it travels beside the copy and comes back at the new start.
     */
    @Test
    void commitKeepsWhatAnInnerImageLayerDeleted() throws Exception {
        String id = startInnerDocker(debianDocker);
        ok(env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox"));
        ok(env.docker("exec", id, "docker", "run", "--name", "deleter", "inner-busybox", "rm", "/bin/ls"));
        ok(env.docker("exec", id, "docker", "commit", "deleter", "inner-deleted"));
        ok(env.docker("exec", id, "docker", "rm", "deleter"));
        ok(env.docker("stop", "-t", "5", id));
        ok(env.docker("commit", id, "sysbox-it/dind-deleted:latest"));
        ok(env.docker("rm", "-f", id));
        String copy = startInnerDocker("sysbox-it/dind-deleted:latest");
        ok(env.docker("exec", copy, "docker", "run", "--rm", "inner-busybox", "test", "-e", "/bin/ls"));
        CommandResult deleted = env.docker("exec", copy, "docker", "run", "--rm", "inner-deleted", "test", "-e", "/bin/ls");
        assertFalse(deleted.succeeded(), "the file the inner layer deleted stays deleted: " + deleted.describe());
        ok(env.docker("rm", "-f", copy));
        ok(env.docker("rmi", "sysbox-it/dind-deleted:latest"));
    }

    @Test
    void aVolumeOnVarLibDockerKeepsImagesAndServesOneContainerAtATime() throws Exception {
        ok(env.docker("volume", "create", "sysbox-it-inner-cache"));
        String first = startInnerDocker(debianDocker, "--mount", "source=sysbox-it-inner-cache,target=/var/lib/docker");
        ok(env.docker("exec", first, "docker", "import", "/images/busybox.tar", "inner-busybox"));

        CommandResult second = env.run("-d", "--mount", "source=sysbox-it-inner-cache,target=/var/lib/docker",
                debianDocker, "dockerd");
        String secondId = second.stdout().strip();
        assertFalse(second.succeeded(), "a second container on the same inner image cache is refused: " + second.describe());
        assertTrue(second.stderr().contains("/var/lib/docker"), second.describe());
        if (!secondId.isEmpty()) env.docker("rm", "-f", secondId);

        ok(env.docker("rm", "-f", first));
        String again = startInnerDocker(debianDocker, "--mount", "source=sysbox-it-inner-cache,target=/var/lib/docker");
        assertTrue(ok(env.docker("exec", again, "docker", "images", "--format", "{{.Repository}}")).contains("inner-busybox"),
                "the volume kept the inner image after its container was removed");
        ok(env.docker("rm", "-f", again));
        ok(env.docker("volume", "rm", "sysbox-it-inner-cache"));
    }
}
