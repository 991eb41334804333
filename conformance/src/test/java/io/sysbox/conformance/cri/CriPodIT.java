package io.sysbox.conformance.cri;

import io.sysbox.conformance.IdMap;
import io.sysbox.conformance.cri.CriKubelet.Pod;
import io.sysbox.cri.api.PodSandboxState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, acceptance 3 and 4: a Java CRI client acting as the kubelet, through sysbox-cri, in
 * front of a real containerd 1.6 on private paths (CriEnvironment). Pods of handler sysbox-runc
 * are system containers with one user namespace per pod and an exclusive range; the default
 * handler's pods are left alone; sysbox-cri, sysbox-mgr and sysbox-fs can go away under a
 * running pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CriPodIT {
    private static final long RANGE = 65536;

    private CriEnvironment env;
    private CriKubelet kubelet;

    @BeforeAll
    void start() throws Exception {
        env = CriEnvironment.start("cri-pod", "sbxcri0", "10.99.77.0/24");
        kubelet = env.kubelet();
    }

    @AfterEach
    void removePodsAndCheckLeaks() throws Exception {
        List<String> problems = kubelet.removeAllPods();
        problems.addAll(env.awaitNoLeaks());
        assertEquals(List.of(), problems, "after removing this test's pods");
    }

    @AfterAll
    void stop() throws Exception {
        if (env != null) env.close();
    }

    private static IdMap onlyMap(String text) {
        List<IdMap> maps = IdMap.parse(text);
        assertEquals(1, maps.size(), "one uid_map line: " + text);
        return maps.getFirst();
    }

    private static String hostUserNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
    }

    /** The pod's /proc/uptime (first field), which must count from the sandbox's creation. */
    private void assertPodUptime(Pod pod, String container) {
        double uptime = Double.parseDouble(kubelet.output(container, "cat", "/proc/uptime").split("\\s+")[0]);
        double sinceCreated = (System.currentTimeMillis() * 1_000_000L - kubelet.status(pod).getStatus().getCreatedAt()) / 1e9;
        assertTrue(uptime >= 0 && uptime <= sinceCreated + 2,
                "the pod's uptime counts from its sandbox (" + sinceCreated + " s ago), not the host's boot: " + uptime);
    }

    @Test
    void podContainersShareTheSandboxUserNamespaceAndPodsGetDisjointRanges() throws Exception {
        Pod pod = kubelet.runPod("shared", CriEnvironment.SYSBOX);
        String one = kubelet.startContainer(pod, "one");
        String two = kubelet.startContainer(pod, "two");

        String map = kubelet.output(one, "cat", "/proc/self/uid_map");
        IdMap range = onlyMap(map);
        assertEquals(0, range.containerId());
        assertNotEquals(0, range.hostId(), "root of the pod is never host root");
        assertEquals(RANGE, range.size());
        assertEquals(map, kubelet.output(two, "cat", "/proc/self/uid_map"), "one range per pod");
        long sandbox = kubelet.sandboxPid(pod);
        assertEquals(range, onlyMap(Files.readString(Path.of("/proc/" + sandbox + "/uid_map"))), "the sandbox's range");

        String userns = kubelet.output(one, "readlink", "/proc/self/ns/user");
        assertEquals(userns, kubelet.output(two, "readlink", "/proc/self/ns/user"));
        assertEquals(userns, Files.readSymbolicLink(Path.of("/proc/" + sandbox + "/ns/user")).toString(),
                "the containers joined the sandbox's user namespace");
        assertNotEquals(hostUserNamespace(), userns);
        assertEquals(1, env.podRangeRecords().size(), "the manager holds one range for the pod");

        assertPodUptime(pod, one);
        List<String> interfaces = Arrays.stream(kubelet.output(one, "ls", "/sys/class/net").split("\\s+")).sorted().toList();
        assertEquals(List.of("eth0", "lo"), interfaces, "the pod's own network namespace's sysfs");
        assertTrue(kubelet.output(one, "busybox", "ip", "-4", "addr", "show", "dev", "eth0").contains("inet 10.99.77."),
                "eth0 keeps the address CNI gave it");
        String routes = kubelet.output(two, "busybox", "ip", "route");
        assertTrue(routes.contains("default via 10.99.77.1") && routes.contains("10.99.77.0/24 dev eth0"), "and its routes: " + routes);
        // The pod's root holds CAP_NET_ADMIN over the pod's network namespace, which its user namespace owns.
        kubelet.output(one, "busybox", "brctl", "addbr", "inner0");
        assertTrue(kubelet.output(two, "ls", "/sys/class/net").contains("inner0"), "one network namespace per pod");

        Pod other = kubelet.runPod("other", CriEnvironment.SYSBOX);
        String three = kubelet.startContainer(other, "three");
        IdMap otherRange = onlyMap(kubelet.output(three, "cat", "/proc/self/uid_map"));
        assertFalse(range.overlaps(otherRange), "two pods share ids: " + range + " and " + otherRange);
        assertEquals(2, env.podRangeRecords().size());

        kubelet.removePod(pod);
        kubelet.removePod(other);
        assertEquals(List.of(), env.awaitNoLeaks(), "Stop/RemovePodSandbox release everything");
    }

    @Test
    void aPodOfTheDefaultHandlerHasNoUserNamespaceAndNoRange() throws Exception {
        Pod pod = kubelet.runPod("plain", "");
        String container = kubelet.startContainer(pod, "plain");
        IdMap identity = onlyMap(kubelet.output(container, "cat", "/proc/self/uid_map"));
        assertEquals(new IdMap(0, 0, 4294967295L), identity);
        assertEquals(hostUserNamespace(), kubelet.output(container, "readlink", "/proc/self/ns/user"));
        assertEquals(List.of(), env.podRangeRecords(), "sysbox-cri reserved nothing for a runc pod");
        Path sysboxState = env.containerd().runtimeRoot(CriEnvironment.SYSBOX);
        for (String dir : List.of("sysbox", "runc")) {
            Path state = sysboxState.resolve(dir);
            if (!Files.isDirectory(state)) continue;
            try (var entries = Files.list(state)) {
                assertEquals(List.of(), entries.toList(), "sysbox-runc was not involved");
            }
        }
    }

    @Test
    void aPodRunsOnWhileSysboxCriRestartsAndItsRemovalStillReleases() throws Exception {
        Pod pod = kubelet.runPod("restart", CriEnvironment.SYSBOX);
        String container = kubelet.startContainer(pod, "restart");
        String map = kubelet.output(container, "cat", "/proc/self/uid_map");

        env.cri().restart();
        assertEquals(map, kubelet.output(container, "cat", "/proc/self/uid_map"), "the pod runs on through the new sysbox-cri");
        assertEquals(1, env.podRangeRecords().size(), "reconcile at start kept the running pod's range");
        assertEquals(PodSandboxState.SANDBOX_READY, kubelet.status(pod).getStatus().getState());

        kubelet.removePod(pod);
        assertEquals(List.of(), env.awaitNoLeaks(), "removal after the restart releases the range");
    }

    @Test
    void aPodKeepsRunningAndServingItsFilesWhenTheDaemonsAreKilled() throws Exception {
        Pod pod = kubelet.runPod("crash", CriEnvironment.SYSBOX);
        String container = kubelet.startContainer(pod, "crash");
        IdMap range = onlyMap(kubelet.output(container, "cat", "/proc/self/uid_map"));
        long sandbox = kubelet.sandboxPid(pod);

        env.fs().kill9();
        assertTrue(ProcessHandle.of(sandbox).map(ProcessHandle::isAlive).orElse(false), "the sandbox survives sysbox-fs");
        env.fs().restart();
        assertPodUptime(pod, container);

        env.suite().manager().kill9();
        assertTrue(ProcessHandle.of(sandbox).map(ProcessHandle::isAlive).orElse(false), "the sandbox survives sysbox-mgr");
        assertPodUptime(pod, container);
        env.suite().manager().restart();
        assertEquals(range, onlyMap(kubelet.output(container, "cat", "/proc/self/uid_map")));

        Pod next = kubelet.runPod("after-crash", CriEnvironment.SYSBOX);
        String other = kubelet.startContainer(next, "after");
        IdMap nextRange = onlyMap(kubelet.output(other, "cat", "/proc/self/uid_map"));
        assertFalse(range.overlaps(nextRange), "the restarted manager handed out the running pod's ids: " + nextRange);
        assertPodUptime(next, other);
        assertPodUptime(pod, container);

        // sysbox-fs killed again, now under a manager that restarted: the FUSE connections it
        // resumes must still reach both pods.
        env.fs().kill9();
        env.fs().restart();
        assertPodUptime(pod, container);
        assertPodUptime(next, other);
    }
}
