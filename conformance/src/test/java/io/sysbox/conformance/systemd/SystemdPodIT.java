package io.sysbox.conformance.systemd;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SystemdBoot;
import io.sysbox.conformance.TestImages;
import io.sysbox.conformance.cri.CriEnvironment;
import io.sysbox.conformance.cri.CriKubelet;
import io.sysbox.conformance.cri.CriKubelet.Pod;
import io.sysbox.conformance.cri.PodImage;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.ExecSyncResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, acceptance 7, the Kubernetes part: a pod of handler sysbox-runc whose container is
 * the debian-systemd image with /sbin/init, through sysbox-cri and containerd's CRI (the
 * harness of CriPodIT, on a bridge of its own), boots to `running` within 30 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SystemdPodIT {
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(30);
    private static final String IMAGE = "sysbox.test/debian-systemd:1";

    private CriEnvironment env;
    private CriKubelet kubelet;

    @BeforeAll
    void start() throws Exception {
        env = CriEnvironment.start("systemd-pod", "sbxsysd0", "10.99.91.0/24");
        kubelet = env.kubelet();
        TestImages images = new TestImages(env.suite());
        PodImage image = PodImage.ofRootfsTarball(env.suite().directory("systemd-image"), images.runner(),
                images.tarball("debian-systemd"), List.of("/sbin/init"), List.of(IMAGE));
        env.containerd().importImage(image.tarball());
    }

    @AfterAll
    void stop() throws Exception {
        if (env != null) env.close();
    }

    /** ExecSync as a CommandResult; a container that is gone answers with a failure, not an exception. */
    private CommandResult exec(String container, List<String> argv) {
        ExecSyncResponse r;
        try {
            r = kubelet.exec(container, argv.toArray(String[]::new));
        } catch (StatusRuntimeException e) {
            return new CommandResult(argv, -1, "", e.getMessage());
        }
        return new CommandResult(argv, r.getExitCode(), r.getStdout().toString(StandardCharsets.UTF_8),
                r.getStderr().toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSystemdPodBootsToRunning() throws Exception {
        Pod pod = kubelet.runPod("systemd", CriEnvironment.SYSBOX);
        long started = System.nanoTime();
        String container = kubelet.startInit(pod, "systemd", IMAGE, List.of("/sbin/init"));
        SystemdBoot.Outcome boot = new SystemdBoot(argv -> exec(container, argv)).await(started, BOOT_LIMIT);
        System.out.println("SystemdPodIT: debian-systemd in a sysbox-runc pod: " + boot.describe());
        assertTrue(boot.running(), boot.describe() + "\n--- the container's log\n" + kubelet.containerLog(pod, "systemd")
                + "\n--- containerd\n" + env.containerd().logTail());
        assertEquals("tmpfs", kubelet.output(container, "findmnt", "-n", "-o", "FSTYPE", "/run"));
        assertEquals("active", kubelet.output(container, "systemctl", "is-active", "systemd-journald.service"));
        kubelet.removePod(pod);
        assertEquals(List.of(), env.awaitNoLeaks(), "the systemd pod's removal releases everything");
    }
}
