package io.sysbox.conformance.install;

import io.sysbox.conformance.IdMap;
import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.Shutdown;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.cri.CniBridge;
import io.sysbox.conformance.cri.CriEnvironment;
import io.sysbox.conformance.cri.CriKubelet;
import io.sysbox.conformance.cri.PodImage;
import io.sysbox.conformance.cri.PrivateContainerd;
import io.sysbox.install.containerd.ContainerdHandlerInstall;
import io.sysbox.install.containerd.HandlerChange;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.undo.ChangeJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 3: the installer's containerd writer adds the sysbox-runc handler to the
 * config of a real containerd 1.6 (a node's config.toml in a host root of the test's own, whose
 * only handler is runc), containerd started on it runs a sysbox-runc pod (CRI RunPodSandbox,
 * CreateContainer, ExecSync straight to containerd: no sysbox-cri in front), and the
 * installer's uninstall gives the config back byte for byte. Own CNI bridge and subnet, so it can
 * run beside CriPodIT.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InstallerContainerdIT {
    private static final Path CONFIG = Path.of("/etc/containerd/config.toml");

    @Test
    void theInstalledHandlerRunsASysboxPodAndUninstallRestoresTheConfig() throws Exception {
        Prerequisites.requireExecutable(PrivateContainerd.CONTAINERD, "containerd");
        List<AutoCloseable> started = new ArrayList<>();
        SuiteEnvironment suite = SuiteEnvironment.start("installer-containerd");
        Throwable failure = null;
        try {
            Path dir = suite.directory("cri");
            Path containerdDir = Files.createDirectories(dir.resolve("containerd"));
            suite.keepLog(containerdDir.resolve("containerd.log"));
            CniBridge network = CniBridge.create(dir, "installer-containerd", "sbxinst0", "10.99.83.0/24", suite.runner());
            started.addFirst(network);

            // The node before the install: containerd 1.6 with runc only.
            HostRoot host = new HostRoot(suite.directory("host"));
            PrivateContainerd.Handler runc = new PrivateContainerd.Handler(CriEnvironment.RUNC, Prerequisites.RUNC,
                    dir.resolve("runc-root"));
            PrivateContainerd.Handler sysbox = new PrivateContainerd.Handler(CriEnvironment.SYSBOX, suite.dist().sysboxRunc(),
                    dir.resolve("sysbox-root"));
            Path config = host.resolve(CONFIG);
            Files.createDirectories(config.getParent());
            Files.writeString(config, PrivateContainerd.config(containerdDir, List.of(runc), CriEnvironment.PAUSE_IMAGE, network));
            byte[] original = Files.readAllBytes(config);

            HandlerChange change = new ContainerdHandlerInstall(host, CONFIG, Optional.of(1))
                    .install(ChangeJournal.open(host), sysbox.installed());
            assertEquals(new HandlerChange(CONFIG, HandlerChange.Placement.MAIN_FILE, true), change);
            byte[] installed = Files.readAllBytes(config);
            assertArrayEquals(original, Arrays.copyOf(installed, original.length), "the config's own bytes stay");

            PrivateContainerd containerd = PrivateContainerd.launch(containerdDir, config, suite.runner(), List.of(runc, sysbox),
                    Map.of("SYSBOX_RUN_DIR", suite.manager().dirs().runDir().toString()));
            started.addFirst(containerd);
            PodImage image = PodImage.build(suite.directory("pod-image"), suite.runner(),
                    List.of(CriEnvironment.PAUSE_IMAGE, CriEnvironment.BUSYBOX_IMAGE));
            containerd.importImage(image.tarball());
            CriKubelet kubelet = new CriKubelet(containerd.socket(), suite.cgroups().name(), suite.directory("pod-logs"),
                    CriEnvironment.BUSYBOX_IMAGE);
            // Closed first: pods a failed assertion left are removed while containerd still runs.
            started.addFirst(() -> {
                List<String> left = kubelet.removeAllPods();
                kubelet.close();
                if (!left.isEmpty()) throw new IllegalStateException(String.join("; ", left));
            });

            CriKubelet.Pod pod = kubelet.runPod("installed", CriEnvironment.SYSBOX);
            String container = kubelet.startContainer(pod, "shell");
            List<IdMap> maps = IdMap.parse(kubelet.output(container, "cat", "/proc/self/uid_map"));
            assertEquals(1, maps.size(), maps.toString());
            assertEquals(0, maps.getFirst().containerId());
            assertNotEquals(0, maps.getFirst().hostId(), "the pod's root is not host root");
            assertEquals(65536, maps.getFirst().size());
            String hostname = kubelet.output(container, "busybox", "hostname");
            assertEquals("installed", hostname, "the pod's own uts namespace");

            kubelet.removePod(pod);
            LeakCheck leakCheck = new LeakCheck(suite.manager().dirs().dataRoot(), containerd.runtimeRoot(CriEnvironment.SYSBOX),
                    suite.cgroups());
            assertEquals(List.of(), leakCheck.awaitClean(Duration.ofSeconds(10)), "the pod's removal releases everything");

            List<Path> restored = ContainerdHandlerInstall.uninstall(ChangeJournal.open(host));
            assertEquals(List.of(CONFIG), restored);
            assertArrayEquals(original, Files.readAllBytes(config), "uninstall gives the config back byte for byte");
            assertTrue(!Files.exists(host.resolve(ChangeJournal.STATE_DIR)), "and leaves no state behind");
            assertTrue(new String(installed, StandardCharsets.UTF_8).contains("BinaryName = \"" + suite.dist().sysboxRunc() + "\""));
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            started.add(suite);
            List<String> problems = Shutdown.closeAll(started);
            if (!problems.isEmpty() && failure == null) {
                throw new IllegalStateException("cleanup:\n  " + String.join("\n  ", problems));
            }
        }
    }
}
