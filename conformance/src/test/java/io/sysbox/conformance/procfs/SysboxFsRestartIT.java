package io.sysbox.conformance.procfs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 9 and the pod item: sysbox-fs killed with -9 and started again serves
 * the same running containers with the same state (the manager kept its FUSE connection); a
 * clean stop leaves no mount and nothing held by the manager. Containers sharing a network
 * namespace share one emulation state until the last of them is deleted.
 */
class SysboxFsRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SuiteEnvironment env;
    private SysboxFsProcess fs;

    @BeforeAll
    static void start() throws Exception {
        env = SuiteEnvironment.start("fsrestart");
    }

    @AfterAll
    static void stop() {
        if (env != null) env.close();
    }

    @AfterEach
    void stopFs() throws Exception {
        try {
            List<String> problems = env.deleteContainers();
            assertEquals(List.of(), problems);
        } finally {
            if (fs != null) fs.close();
        }
        assertEquals(List.of(), env.awaitNoLeaks(), "leftovers after the test");
    }

    private String runDetached(BusyboxBundle bundle, String id) {
        CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), run.describe() + "\n" + fs.logTail());
        return id;
    }

    private String exec(String id, String command) {
        CommandResult result = env.runc().run("exec", id, "sh", "-c", command);
        assertTrue(result.succeeded(), "exec in " + id + ": " + result.describe() + "\n" + fs.logTail());
        return result.stdout();
    }

    private void delete(String id) {
        CommandResult result = env.runc().run("delete", "--force", id);
        assertTrue(result.succeeded(), result.describe());
    }

    private long initPid(String id) throws IOException {
        CommandResult state = env.runc().run("state", id);
        assertTrue(state.succeeded(), state.describe());
        return JSON.readTree(state.stdout()).path("pid").asLong();
    }

    private static double uptime(String content) {
        assertTrue(content.matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"), "uptime: " + content);
        return Double.parseDouble(content.split(" ")[0]);
    }

    /** The containers sysbox-fs has a directory for. */
    private List<String> registered() throws IOException {
        try (Stream<Path> dirs = Files.list(fs.mountpoint())) {
            // .ro: where the read-only connection is mounted, not a container.
            return dirs.map(p -> p.getFileName().toString()).filter(name -> !name.equals(".ro")).sorted().toList();
        }
    }

    private static boolean mounted(Path dir) throws IOException {
        String target = " " + dir.toAbsolutePath().normalize() + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(target));
    }

    /** The /dev/fuse descriptors a process holds. */
    private static List<String> fuseDescriptors(long pid) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("/dev/fuse")) found.add(fd.toString());
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return found;
    }

    @Test
    void afterKill9TheRestartedSysboxFsServesTheRunningContainersWithTheirState() throws Exception {
        fs = SysboxFsProcess.start(env);
        assertEquals(2, fuseDescriptors(env.manager().pid()).size(),
                "the manager holds sysbox-fs's connections, the read-write and the read-only one");
        String limited = env.newContainerId("restart-mem");
        BusyboxBundle bundle = env.bundle(limited);
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", 256L << 20);
        runDetached(bundle.write(), limited);
        String plain = env.newContainerId("restart-plain");
        runDetached(env.bundle(plain), plain);
        Thread.sleep(1500);

        double before = uptime(exec(limited, "cat /proc/uptime"));
        assertTrue(before >= 1.0, "started 1.5 s ago: " + before);
        assertEquals("MemTotal:         262144 kB", exec(limited, "grep MemTotal /proc/meminfo").strip());
        String uuid = exec(limited, "cat /sys/devices/virtual/dmi/id/product_uuid");
        // Host nodes passed through: their ids, derived from the path, are found again by the restarted sysbox-fs.
        String passedThrough = "cat /sys/kernel/address_bits; ls /sys/kernel/mm; ls /sys/devices/virtual/net";
        String hostNodes = exec(limited, passedThrough);
        String uptimeMount = exec(limited, "grep ' /proc/uptime ' /proc/self/mountinfo");
        assertTrue(uptimeMount.contains(" - fuse sysboxfs ro,"), "bound from the read-only connection: " + uptimeMount);
        // Written through sysbox-fs's directory for the container (the container's /proc/sys binds are another item).
        Path panic = fs.mountpoint().resolve(limited).resolve("proc/sys/kernel/panic");
        Files.writeString(panic, "5");

        long killed = fs.pid();
        fs.kill9();
        assertTrue(ProcessHandle.of(killed).isEmpty() || !ProcessHandle.of(killed).get().isAlive());
        fs.restart();
        assertTrue(fs.log().contains("resumed the FUSE connection"), fs.logTail());

        double after = uptime(exec(limited, "cat /proc/uptime"));
        assertTrue(after >= before, "the uptime base survives: " + before + " then " + after);
        assertEquals("MemTotal:         262144 kB", exec(limited, "grep MemTotal /proc/meminfo").strip());
        assertEquals(uuid, exec(limited, "cat /sys/devices/virtual/dmi/id/product_uuid"));
        assertEquals(hostNodes, exec(limited, passedThrough));
        assertEquals("5\n", Files.readString(panic), "a sysctl written before the crash");
        assertTrue(exec(plain, "cat /proc/uptime; head -1 /proc/meminfo").contains("MemTotal:"));
        assertEquals(List.of(limited, plain).stream().sorted().toList(), registered());

        // Deleting after the restart reaches the new sysbox-fs (the manager reconnects).
        delete(limited);
        delete(plain);
        assertEquals(List.of(), registered(), "both unregistered from the restarted sysbox-fs");

        assertEquals(0, fs.stop(), "SIGTERM: a clean exit\n" + fs.logTail());
        assertFalse(mounted(fs.mountpoint()), "a clean stop leaves no mount");
        assertEquals(List.of(), fuseDescriptors(env.manager().pid()), "the manager holds no FUSE descriptor");
        assertFalse(fs.log().contains("ERROR"), fs.logTail());
    }

    /** The seccomp listeners (anonymous "seccomp notify" files) a process holds. */
    static long seccompListeners(long pid) throws IOException {
        long found = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:seccomp notify")) found++;
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return found;
    }

    /** The number of listeners PID holds once it is EXPECTED or 30 s have passed (a session ends when its last process did). */
    static long awaitSeccompListeners(long pid, long expected) throws IOException, InterruptedException {
        long found = seccompListeners(pid);
        for (int wait = 0; wait < 60 && found != expected; wait++) {
            Thread.sleep(500);
            found = seccompListeners(pid);
        }
        return found;
    }

    private CommandResult sh(String id, String command) {
        return env.runc().run("exec", id, "sh", "-c", command);
    }

    /**
     * Issue 11, acceptance 5: the manager's descriptor keeper holds each container's seccomp
     * listener with its session; after kill -9 of sysbox-fs the restarted one takes them back, so
     * a running container's mounts are still intercepted: umount of an emulated file still fails
     * and `mount -t proc` is still a replica carrying the container's emulated files. The
     * container's end releases the listener in both daemons.
     */
    @Test
    void afterKill9TheRestartedSysboxFsStillInterceptsTheContainersMounts() throws Exception {
        fs = SysboxFsProcess.start(env);
        String id = env.newContainerId("restart-seccomp");
        BusyboxBundle bundle = env.bundle(id);
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", 256L << 20);
        runDetached(bundle.write(), id);
        assertFalse(sh(id, "umount /proc/uptime").succeeded(), "intercepted before the crash");
        assertEquals(1, awaitSeccompListeners(env.manager().pid(), 1),
                "the keeper holds the init's listener (an exec's goes with it)");

        fs.kill9();
        fs.restart();
        assertTrue(fs.log().contains("resumed 1 seccomp listener(s) from the descriptor keeper"), fs.logTail());
        assertEquals(1, awaitSeccompListeners(fs.pid(), 1), "the restarted sysbox-fs serves the init's listener again");

        CommandResult umount = sh(id, "umount /proc/uptime");
        assertFalse(umount.succeeded(), "umount of an emulated file after the restart: " + umount.describe());
        assertTrue(exec(id, "cat /proc/self/mountinfo").contains(" /proc/uptime "), "the emulated uptime stays mounted");
        String replica = exec(id, "mkdir -p /root/p && mount -t proc proc /root/p && grep MemTotal /root/p/meminfo"
                + " && cat /root/p/uptime && umount /root/p");
        assertTrue(replica.startsWith("MemTotal:         262144 kB\n"), "the replica's meminfo is the container's: " + replica);
        double replicaUptime = uptime(replica.lines().skip(1).findFirst().orElseThrow() + "\n");
        double own = uptime(exec(id, "cat /proc/uptime"));
        assertTrue(replicaUptime <= own + 1, "the replica's uptime is the container's (" + own + "), not the host's: "
                + replicaUptime);
        assertTrue(exec(id, "mkdir -p /root/t && mount -t tmpfs tmpfs /root/t && umount /root/t && echo done")
                .contains("done"), "other mounts go on to the kernel");

        delete(id);
        assertEquals(0, awaitSeccompListeners(fs.pid(), 0), "the container's end ends its session");
        assertEquals(0, awaitSeccompListeners(env.manager().pid(), 0), "and the keeper lets go of its listener");
        assertEquals(0, fs.stop(), fs.logTail());
        assertFalse(fs.log().contains("ERROR"), fs.logTail());
    }

    @Test
    void containersOfOneNetworkNamespaceShareOneStateUntilTheLastIsDeleted() throws Exception {
        fs = SysboxFsProcess.start(env);
        String owner = env.newContainerId("pod-first");
        runDetached(env.bundle(owner), owner);
        Thread.sleep(2000);
        String member = env.newContainerId("pod-second");
        BusyboxBundle joining = env.bundle(member).namespacePath("network", "/proc/" + initPid(owner) + "/ns/net");
        runDetached(joining.write(), member);
        String loner = env.newContainerId("pod-other");
        runDetached(env.bundle(loner), loner);

        String uuid = exec(owner, "cat /sys/devices/virtual/dmi/id/product_uuid");
        assertEquals(uuid, exec(member, "cat /sys/devices/virtual/dmi/id/product_uuid"));
        assertFalse(uuid.equals(exec(loner, "cat /sys/devices/virtual/dmi/id/product_uuid")), "another pod, another uuid");
        double memberUptime = uptime(exec(member, "cat /proc/uptime"));
        assertTrue(memberUptime >= 2.0, "the member counts from the pod's first container: " + memberUptime);
        assertTrue(uptime(exec(loner, "cat /proc/uptime")) < memberUptime, "a container of its own counts from its start");
        Files.writeString(fs.mountpoint().resolve(owner).resolve("proc/sys/kernel/panic"), "3");
        assertEquals("3\n", Files.readString(fs.mountpoint().resolve(member).resolve("proc/sys/kernel/panic")));
        assertFalse("3\n".equals(Files.readString(fs.mountpoint().resolve(loner).resolve("proc/sys/kernel/panic"))),
                "another pod keeps its own value");

        delete(owner);
        assertEquals(List.of(loner, member).stream().sorted().toList(), registered());
        assertTrue(uptime(exec(member, "cat /proc/uptime")) >= memberUptime, "the member's files keep working");
        assertEquals(uuid, exec(member, "cat /sys/devices/virtual/dmi/id/product_uuid"));
        assertEquals("3\n", Files.readString(fs.mountpoint().resolve(member).resolve("proc/sys/kernel/panic")),
                "the pod's state outlives its first container");
        assertEquals(2, savedStates(), "the pod's state and the other container's");

        delete(member);
        assertEquals(List.of(loner), registered());
        assertEquals(1, savedStates(), "the last of the pod deleted: its state is dropped");
        delete(loner);
        assertEquals(0, savedStates());
        assertEquals(0, fs.stop());
    }

    /** The emulation states sysbox-fs keeps for a restart (RUN_DIR/sysfs/states): one per pod. */
    private long savedStates() throws IOException {
        try (Stream<Path> states = Files.list(env.manager().dirs().runDir().resolve("sysfs/states"))) {
            return states.count();
        }
    }
}
