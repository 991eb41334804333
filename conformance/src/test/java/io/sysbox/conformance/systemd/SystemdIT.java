package io.sysbox.conformance.systemd;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import io.sysbox.conformance.SystemdBoot;
import io.sysbox.conformance.docker.DockerEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11, acceptance 7: systemd as a system container's init, as a new user runs it. The
 * debian-systemd image under Docker boots to `running` within 30 s, with /run and /run/lock on
 * tmpfs and journald and dbus answering, and `docker stop` (its STOPSIGNAL, SIGRTMIN+3) ends it
 * within the timeout, no SIGKILL; debian-systemd-docker runs docker.service and an inner
 * `docker run`; the same debian-systemd tarball unpacked as a bundle boots with `sysbox-runc run`.
 * sysbox-fs runs, as under sysboxd. Boot times are printed (the README quotes them).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SystemdIT {
    /** Acceptance 7's limit for reaching `running`. */
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(30);
    private static final int STOP_TIMEOUT_SECONDS = 30;
    /** SIGRTMIN+3 as glibc numbers it (SIGRTMIN is 34): systemd's "halt". */
    private static final String HALT_SIGNAL = "37";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static DockerEnvironment env;
    private static SysboxFsProcess fs;

    @BeforeAll
    static void start() throws Exception {
        env = DockerEnvironment.start("systemd", Map.of());
        fs = SysboxFsProcess.start(env.suite());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (fs != null) fs.close();
        } finally {
            if (env != null) env.close();
        }
    }

    private static SystemdBoot dockerBoot(String id) {
        return new SystemdBoot(argv -> {
            List<String> all = new ArrayList<>(List.of("exec", id));
            all.addAll(argv);
            return env.docker(all.toArray(String[]::new));
        });
    }

    private static String inContainer(String id, String... argv) {
        List<String> all = new ArrayList<>(List.of("exec", id));
        all.addAll(List.of(argv));
        return env.require(env.docker(all.toArray(String[]::new)));
    }

    /** `docker run -d` of IMAGE; waits for systemd to finish booting and requires `running`. */
    private static String bootUnderDocker(String image, String... runArgs) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("-d"));
        args.addAll(List.of(runArgs));
        args.add(image);
        long started = System.nanoTime();
        String id = env.require(env.run(args.toArray(String[]::new)));
        SystemdBoot.Outcome boot = dockerBoot(id).await(started, BOOT_LIMIT);
        System.out.println("SystemdIT: " + image + " under Docker: " + boot.describe());
        if (!boot.running()) fail(boot.describe() + "\n--- docker logs\n" + env.docker("logs", "--tail", "40", id).describe());
        return id;
    }

    @Test
    void debianSystemdBootsToRunningUnderDockerAndStopsCleanly() throws Exception {
        String id = bootUnderDocker(env.image("debian-systemd"));
        assertEquals("tmpfs", inContainer(id, "findmnt", "-n", "-o", "FSTYPE", "/run"));
        assertEquals("tmpfs", inContainer(id, "findmnt", "-n", "-o", "FSTYPE", "/run/lock"));
        assertEquals("active\nactive", inContainer(id, "systemctl", "is-active", "systemd-journald.service", "dbus.service"));
        // Through dbus-daemon (systemctl itself would use systemd's private socket).
        assertEquals("s \"running\"", inContainer(id, "busctl", "--system", "get-property", "org.freedesktop.systemd1",
                "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "SystemState"));
        inContainer(id, "sh", "-c", "echo sysbox-journal-check | systemd-cat -t sysbox-it && journalctl --sync");
        assertEquals("sysbox-journal-check", inContainer(id, "journalctl", "-b", "--no-pager", "-t", "sysbox-it", "-o", "cat"),
                "journald stored the message");
        // The units systemd left inactive by their own conditions (the README lists them, and why).
        System.out.println("SystemdIT: skipped by their conditions:\n" + env.docker("exec", id, "sh", "-c",
                "journalctl -b --no-pager -o cat | grep -E 'skipped because|Condition check' || true").stdout().strip());
        assertEquals("SIGRTMIN+3", env.require(env.docker("inspect", "-f", "{{.Config.StopSignal}}", id)),
                "the image's STOPSIGNAL");

        long stopping = System.nanoTime();
        env.require(env.docker("stop", "-t", Integer.toString(STOP_TIMEOUT_SECONDS), id));
        Duration stop = Duration.ofNanos(System.nanoTime() - stopping);
        String exit = env.require(env.docker("inspect", "-f", "{{.State.ExitCode}}", id));
        System.out.println("SystemdIT: docker stop of debian-systemd took " + stop.toMillis() + " ms, exit code " + exit);
        assertTrue(stop.getSeconds() < STOP_TIMEOUT_SECONDS, "docker stop waited out its timeout: " + stop);
        assertNotEquals("137", exit, "docker stop had to SIGKILL systemd");
        assertFalse(env.dockerd().logTail().contains("using the force"), "dockerd killed the container:\n" + env.dockerd().logTail());
        env.require(env.docker("rm", id));
    }

    @Test
    void debianSystemdDockerRunsDockerAsAServiceAndAnInnerContainer() throws Exception {
        Path images = env.suite().rootOnlyDirectory("inner-images");
        Path busybox = images.resolve("busybox.tar");
        if (!Files.exists(busybox)) Files.copy(env.imageTarball("busybox"), busybox);
        String id = bootUnderDocker(env.image("debian-systemd-docker"), "-v", images + ":/images:ro");
        assertEquals("active\nactive", inContainer(id, "systemctl", "is-active", "containerd.service", "docker.service"));
        assertTrue(inContainer(id, "docker", "info").contains("Storage Driver: overlay2"), "inner Docker on overlay2");
        inContainer(id, "docker", "import", "/images/busybox.tar", "inner-busybox");
        assertEquals("ok", inContainer(id, "docker", "run", "--rm", "inner-busybox", "echo", "ok"));
        env.require(env.docker("stop", "-t", Integer.toString(STOP_TIMEOUT_SECONDS), id));
        assertNotEquals("137", env.require(env.docker("inspect", "-f", "{{.State.ExitCode}}", id)),
                "docker stop had to SIGKILL systemd with Docker inside");
        env.require(env.docker("rm", id));
    }

    @Test
    void theImageUnpackedAsABundleBootsWithSysboxRuncRun() throws Exception {
        SuiteEnvironment suite = env.suite();
        String id = suite.newContainerId("systemd");
        BusyboxBundle bundle = suite.bundle(id);
        Path rootfs = bundle.rootfs();
        suite.runner().run(List.of("rm", "-rf", "--one-file-system", rootfs.toString())).requireSuccess();
        Files.createDirectories(rootfs);
        suite.runner().run(List.of("tar", "-C", rootfs.toString(), "-xpf", env.imageTarball("debian-systemd").toString(),
                "--numeric-owner")).requireSuccess();
        bundle.args("/sbin/init").write();

        long started = System.nanoTime();
        suite.runc().run("run", "-d", "--bundle", bundle.dir().toString(), id).requireSuccess();
        SystemdBoot.Outcome boot = new SystemdBoot(argv -> {
            List<String> all = new ArrayList<>(List.of("exec", id));
            all.addAll(argv);
            return suite.runc().run(all.toArray(String[]::new));
        }).await(started, BOOT_LIMIT);
        System.out.println("SystemdIT: debian-systemd as a bundle under sysbox-runc run: " + boot.describe());
        assertTrue(boot.running(), boot.describe());

        suite.runc().run("kill", id, HALT_SIGNAL).requireSuccess();
        long deadline = System.nanoTime() + Duration.ofSeconds(STOP_TIMEOUT_SECONDS).toNanos();
        String status;
        do {
            Thread.sleep(200);
            CommandResult state = suite.runc().run("state", id);
            status = state.succeeded() ? JSON.readTree(state.stdout()).path("status").asText() : state.describe();
        } while (!status.equals("stopped") && System.nanoTime() < deadline);
        assertEquals("stopped", status, "systemd halts on SIGRTMIN+3");
        suite.runc().run("delete", id).requireSuccess();
    }
}
