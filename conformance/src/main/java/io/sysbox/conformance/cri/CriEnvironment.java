package io.sysbox.conformance.cri;

import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.MountEntry;
import io.sysbox.conformance.Shutdown;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes node without the kubelet: the suite's private sysbox-mgr and sysbox-fs, a
 * containerd 1.6 on private paths with handlers `runc` (the default) and `sysbox-runc` (of
 * dist/, finding the manager through SYSBOX_RUN_DIR), a CNI bridge of its own, the pod image
 * imported locally, and sysbox-cri in front of containerd; {@link #kubelet()} speaks CRI to
 * sysbox-cri. Pod cgroups go under the suite's random prefix.
 */
public final class CriEnvironment implements AutoCloseable {
    public static final String SYSBOX = "sysbox-runc";
    public static final String RUNC = "runc";
    /** The sandbox image containerd runs for every pod (its 1.6 default), and the containers' image. */
    public static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.6";
    public static final String BUSYBOX_IMAGE = "sysbox.test/busybox:1";

    private final SuiteEnvironment suite;
    private final SysboxFsProcess fs;
    private final CniBridge network;
    private final PrivateContainerd containerd;
    private final SysboxCriProcess cri;
    private final CriKubelet kubelet;

    private CriEnvironment(SuiteEnvironment suite, SysboxFsProcess fs, CniBridge network, PrivateContainerd containerd,
                           SysboxCriProcess cri, CriKubelet kubelet) {
        this.suite = suite;
        this.fs = fs;
        this.network = network;
        this.containerd = containerd;
        this.cri = cri;
        this.kubelet = kubelet;
    }

    /** Starts everything in dependency order; whatever started is stopped again if a later step fails. */
    public static CriEnvironment start(String name, String bridge, String subnet) throws IOException, InterruptedException {
        SuiteEnvironment suite = SuiteEnvironment.start(name);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            SysboxFsProcess fs = SysboxFsProcess.start(suite);
            started.addFirst(fs);
            Path dir = suite.directory("cri");
            for (String log : List.of("containerd/containerd.log", "sysbox-cri.log", "sysbox-cri.console")) {
                suite.keepLog(dir.resolve(log));
            }
            CniBridge network = CniBridge.create(dir, name, bridge, subnet, suite.runner());
            started.addFirst(network);
            List<PrivateContainerd.Handler> handlers = List.of(
                    new PrivateContainerd.Handler(RUNC, io.sysbox.conformance.Prerequisites.RUNC, dir.resolve("runc-root")),
                    new PrivateContainerd.Handler(SYSBOX, suite.dist().sysboxRunc(), dir.resolve("sysbox-root")));
            PrivateContainerd containerd = PrivateContainerd.start(Files.createDirectories(dir.resolve("containerd")),
                    suite.runner(), handlers, PAUSE_IMAGE, network,
                    Map.of("SYSBOX_RUN_DIR", suite.manager().dirs().runDir().toString()));
            started.addFirst(containerd);
            PodImage image = PodImage.build(suite.directory("pod-image"), suite.runner(), List.of(PAUSE_IMAGE, BUSYBOX_IMAGE));
            containerd.importImage(image.tarball());
            SysboxCriProcess cri = SysboxCriProcess.start(suite.dist().sysboxCri(), suite.manager().dirs().runDir(),
                    containerd.socket(), dir);
            started.addFirst(cri);
            CriKubelet kubelet = new CriKubelet(cri.socket(), suite.cgroups().name(), suite.directory("pod-logs"), BUSYBOX_IMAGE);
            return new CriEnvironment(suite, fs, network, containerd, cri, kubelet);
        } catch (IOException | RuntimeException | Error e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                suite.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public SuiteEnvironment suite() {
        return suite;
    }

    public SysboxFsProcess fs() {
        return fs;
    }

    public PrivateContainerd containerd() {
        return containerd;
    }

    public SysboxCriProcess cri() {
        return cri;
    }

    public CriKubelet kubelet() {
        return kubelet;
    }

    /** Pod ranges the manager holds (its durable records, one file per pod uid). */
    public List<Path> podRangeRecords() throws IOException {
        Path dir = suite.manager().dirs().dataRoot().resolve("podranges");
        if (!Files.isDirectory(dir)) return List.of();
        try (var entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    /**
     * What removed pods must not leave: the manager's and sysbox-runc's leftovers (mounts, id and
     * pod range records, private dirs, runtime state, container cgroups), containerd's mounts
     * (rootfs, shm, netns), the runc handler's state and cached CNI results.
     */
    public List<String> leaks() {
        List<String> leaks = new ArrayList<>(new LeakCheck(suite.manager().dirs().dataRoot(),
                containerd.runtimeRoot(SYSBOX), suite.cgroups()).leaks());
        Path containerdDir = containerd.socket().getParent();
        for (MountEntry mount : MountEntry.current()) {
            if (mount.line().contains(containerdDir + "/")) leaks.add("containerd mount: " + mount.line());
        }
        LeakCheck.entries(containerd.runtimeRoot(RUNC), "runc handler state", leaks);
        network.cachedResults().forEach(p -> leaks.add("CNI result: " + p));
        return leaks;
    }

    /** Polls {@link #leaks()} until empty or 10 s (the shim deletes its task after answering). */
    public List<String> awaitNoLeaks() {
        return LeakCheck.awaitEmpty(this::leaks, Duration.ofSeconds(10));
    }

    /** Removes every pod, then stops sysbox-cri, containerd, the bridge, sysbox-fs and the suite; reports what leaked. */
    @Override
    public void close() throws Exception {
        List<String> problems = new ArrayList<>(kubelet.removeAllPods());
        problems.addAll(awaitNoLeaks());
        problems.addAll(Shutdown.closeAll(List.of(kubelet, cri, containerd, network, fs, suite)));
        if (!problems.isEmpty()) throw new IllegalStateException("CRI suite cleanup:\n  " + String.join("\n  ", problems));
    }
}
