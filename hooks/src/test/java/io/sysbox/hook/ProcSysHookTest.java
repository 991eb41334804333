package io.sysbox.hook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built sysbox-procsys-hook against real mounts: the "container" is a sleep in a private
 * mount namespace of its own, whose /proc is the host's procfs (the hook only mounts over procfs).
 */
class ProcSysHookTest {
    private static final Path HOOK = Path.of(System.getProperty("procsys.hook", "target/sysbox-procsys-hook"));
    private static final String PANIC = "/proc/sys/kernel/panic";
    private static final String OVERCOMMIT = "/proc/sys/vm/overcommit_memory";

    @TempDir
    Path tmp;
    private Process target;

    /** Output and exit status of one command. */
    record Result(int status, String stdout, String stderr) {
        String describe() {
            return "exit " + status + ", stdout: " + stdout + ", stderr: " + stderr;
        }
    }

    @BeforeEach
    void startTarget() throws Exception {
        assertTrue(Files.isExecutable(HOOK), HOOK + " not built (the compile phase of the hooks module builds it)");
        target = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sleep", "60")
                .redirectErrorStream(true).start();
        // unshare execs sleep in the new namespace; wait until the pid is there.
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        Path ns = Path.of("/proc", Long.toString(target.pid()), "ns", "mnt");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Files.readSymbolicLink(ns).toString().equals(host)) {
            assertTrue(target.isAlive() && Instant.now().isBefore(deadline), "unshare -m did not start");
            Thread.sleep(10);
        }
    }

    @AfterEach
    void stopTarget() throws InterruptedException {
        // Its mount namespace, with whatever the hook mounted there, goes with it.
        if (target != null) {
            target.destroy();
            target.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String state(long pid) {
        return "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":" + pid
                + ",\"bundle\":\"/b\"}";
    }

    private static Result run(String stdin, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The hook may exit on bad arguments before reading its stdin.
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "command did not end: " + command);
        return new Result(p.exitValue(), out, err);
    }

    private static Result hook(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(HOOK.toString());
        command.addAll(List.of(args));
        return run(stdin, command);
    }

    private String readInTarget(String path) throws IOException, InterruptedException {
        Result r = run("", List.of("nsenter", "-t", Long.toString(target.pid()), "-m", "cat", path));
        assertEquals(0, r.status(), r.describe());
        return r.stdout();
    }

    private Path source(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void bindsEachSourceOverItsDestinationInTheTargetsNamespaceOnly() throws Exception {
        Path panic = source("panic", "4711\n");
        Path overcommit = source("overcommit", "4712\n");
        Result r = hook(state(target.pid()), panic.toString(), PANIC, overcommit.toString(), OVERCOMMIT);
        assertEquals(0, r.status(), r.describe());
        assertEquals("4711\n", readInTarget(PANIC));
        assertEquals("4712\n", readInTarget(OVERCOMMIT));
        assertNotEquals("4711\n", Files.readString(Path.of(PANIC)), "the host's own " + PANIC);
        assertNotEquals("4712\n", Files.readString(Path.of(OVERCOMMIT)), "the host's own " + OVERCOMMIT);
    }

    @Test
    void aNetworkSysctlIsBoundInTheTargetsNetworkNamespace() throws Exception {
        // procfs has a dentry per network namespace for one /proc/sys/net path: the bind must be
        // on the one the target's processes open, not on the host's.
        Process netTarget = new ProcessBuilder("unshare", "-m", "-n", "--propagation", "private", "sleep", "60").start();
        try {
            String hostNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            Path ns = Path.of("/proc", Long.toString(netTarget.pid()), "ns", "net");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (Files.readSymbolicLink(ns).toString().equals(hostNet)) {
                assertTrue(netTarget.isAlive() && Instant.now().isBefore(deadline), "unshare -m -n did not start");
                Thread.sleep(10);
            }
            String ttl = "/proc/sys/net/ipv4/ip_default_ttl";
            Path source = source("ttl", "4715\n");
            Result r = hook(state(netTarget.pid()), source.toString(), ttl);
            assertEquals(0, r.status(), r.describe());
            String pid = Long.toString(netTarget.pid());
            Result inside = run("", List.of("nsenter", "-t", pid, "-m", "-n", "cat", ttl));
            assertEquals("4715\n", inside.stdout(), inside.describe());
            Result hostNetView = run("", List.of("nsenter", "-t", pid, "-m", "cat", ttl));
            assertNotEquals("4715\n", hostNetView.stdout(), "the host network namespace's file: " + hostNetView.describe());
        } finally {
            netTarget.destroy();
            netTarget.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSourceInvisibleInTheTargetsNamespaceIsBoundAllTheSame() throws Exception {
        // A tmpfs mounted on the host after the target made its namespace private: only the host sees it.
        Path dir = Files.createDirectory(tmp.resolve("hostonly"));
        Result mount = run("", List.of("mount", "-t", "tmpfs", "-o", "size=1m", "hostonly", dir.toString()));
        assertEquals(0, mount.status(), mount.describe());
        try {
            Path source = source("hostonly/panic", "4713\n");
            Result seen = run("", List.of("nsenter", "-t", Long.toString(target.pid()), "-m", "cat", source.toString()));
            assertNotEquals(0, seen.status(), "the source must not be visible in the target: " + seen.describe());
            Result r = hook(state(target.pid()), source.toString(), PANIC);
            assertEquals(0, r.status(), r.describe());
            assertEquals("4713\n", readInTarget(PANIC));
        } finally {
            Result umount = run("", List.of("umount", dir.toString()));
            assertEquals(0, umount.status(), umount.describe());
        }
    }

    @Test
    void onlyTheTopLevelPidCounts() throws Exception {
        Path panic = source("panic", "4714\n");
        String state = "{\"id\":\"c1\",\"annotations\":{\"pid\":\"1\",\"x\":{\"pid\":1}},\"pid\":" + target.pid() + "}";
        Result r = hook(state, panic.toString(), PANIC);
        assertEquals(0, r.status(), r.describe());
        assertEquals("4714\n", readInTarget(PANIC));
    }

    private static void assertFails(Result r, String message) {
        assertNotEquals(0, r.status(), r.describe());
        assertTrue(r.stderr().startsWith("sysbox-procsys-hook: ") && r.stderr().contains(message),
                "stderr should say \"" + message + "\": " + r.describe());
    }

    @Test
    void aDestinationOffProcfsIsRefused() throws Exception {
        Path panic = source("panic", "1\n");
        Path other = source("other", "0\n");
        assertFails(hook(state(target.pid()), panic.toString(), other.toString()),
                "destination " + other + " is not on procfs");
        assertEquals("0\n", Files.readString(other));
    }

    @Test
    void aKeptPathIsPutBackOverWhatIsMovedAboveIt() throws Exception {
        // The container's /sys/devices/virtual/net lists the devices of the network namespace that
        // mounted its sysfs; a bind over /sys/devices/virtual must leave it the container's.
        Process netTarget = new ProcessBuilder("unshare", "-m", "-n", "--propagation", "private", "sleep", "60").start();
        try {
            String hostNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            Path ns = Path.of("/proc", Long.toString(netTarget.pid()), "ns", "net");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (Files.readSymbolicLink(ns).toString().equals(hostNet)) {
                assertTrue(netTarget.isAlive() && Instant.now().isBefore(deadline), "unshare -m -n did not start");
                Thread.sleep(10);
            }
            String pid = Long.toString(netTarget.pid());
            // The target's own sysfs, as runc mounts one in a container's namespaces (gone with its mount namespace).
            Path sys = Files.createDirectory(tmp.resolve("sys"));
            Result mount = run("", List.of("nsenter", "-t", pid, "-m", "-n", "mount", "-t", "sysfs", "sysfs", sys.toString()));
            assertEquals(0, mount.status(), mount.describe());
            Path virtual = Files.createDirectories(tmp.resolve("virtual/net")).getParent();
            Files.writeString(virtual.resolve("emulated"), "x");
            Files.writeString(virtual.resolve("net/host-device"), "x");
            String destination = sys + "/devices/virtual";
            Result r = hook(state(netTarget.pid()), "--keep", destination + "/net", virtual.toString(), destination);
            assertEquals(0, r.status(), r.describe());
            Result top = run("", List.of("nsenter", "-t", pid, "-m", "ls", destination));
            assertEquals("emulated\nnet\n", top.stdout(), top.describe());
            Result net = run("", List.of("nsenter", "-t", pid, "-m", "ls", destination + "/net"));
            assertEquals("lo\n", net.stdout(), "the target's own devices: " + net.describe());
            assertTrue(Files.exists(Path.of("/sys/devices/virtual/net/lo")), "the host's sysfs is untouched");
            assertFails(hook(state(netTarget.pid()), "--keep", virtual + "/net", virtual.toString(), destination),
                    "kept path " + virtual + "/net is not on sysfs");
        } finally {
            netTarget.destroy();
            netTarget.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badStatesAreRefused() throws Exception {
        String source = source("panic", "1\n").toString();
        assertFails(hook("", source, PANIC), "has no \"pid\"");
        assertFails(hook("{\"id\":\"c1\"}", source, PANIC), "has no \"pid\"");
        assertFails(hook("{\"pid\":\"12\"}", source, PANIC), "no valid \"pid\" (a positive integer): \"12\"");
        assertFails(hook("{\"pid\":-3}", source, PANIC), "no valid \"pid\" (a positive integer): -3");
        assertFails(hook("{\"pid\":0}", source, PANIC), "no valid \"pid\"");
        assertFails(hook("{\"pid\":99999999999}", source, PANIC), "no valid \"pid\"");
        assertFails(hook("{\"id\":\"c1", source, PANIC), "unterminated string");
    }

    @Test
    void aGonePidIsRefused() throws Exception {
        String source = source("panic", "1\n").toString();
        target.destroy();
        target.waitFor(10, TimeUnit.SECONDS);
        assertFails(hook(state(target.pid()), source, PANIC),
                "cannot open the container's mount namespace /proc/" + target.pid() + "/ns/mnt");
    }

    @Test
    void argumentsMustComeInPairs() throws Exception {
        String source = source("panic", "1\n").toString();
        assertFails(hook(state(target.pid())), "expected SOURCE DESTINATION pairs as arguments (after any --keep PATH"
                + " and --rebind ROOT SOURCE PATH), got 0 arguments");
        assertFails(hook(state(target.pid()), "--keep", "/sys/devices/virtual/net"), "got 0 arguments");
        assertFails(hook(state(target.pid()), source), "got 1 argument\n");
        assertFails(hook(state(target.pid()), source, PANIC, source), "got 3 arguments");
    }

    @Test
    void aMissingSourceOrDestinationIsNamed() throws Exception {
        String source = source("panic", "1\n").toString();
        Path missing = tmp.resolve("missing");
        assertFails(hook(state(target.pid()), missing.toString(), PANIC),
                "cannot clone source " + missing + " (in the host's mount namespace): No such file or directory");
        assertFails(hook(state(target.pid()), source, "/proc/sys/kernel/no_such_sysctl"),
                "cannot open destination /proc/sys/kernel/no_such_sysctl in the mount namespace of pid "
                        + target.pid() + ": No such file or directory");
        assertFails(hook(state(target.pid()), source, "proc/sys/kernel/panic"),
                "destination proc/sys/kernel/panic is not an absolute path");
    }

    private static void mount(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        Result r = run("", command);
        assertEquals(0, r.status(), r.describe());
    }

    private String inTarget(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("nsenter", "-t", Long.toString(target.pid()), "-m"));
        line.addAll(List.of(command));
        Result r = run("", line);
        return r.status() + ":" + r.stdout().trim();
    }

    @Test
    void aRebindCoversTheRuntimesBindOfTheSameDirectoryInsideTheRootWithItsFlags() throws Exception {
        // The source the runtime bound, and the manager's clone of it: here a plain bind of the same
        // directory on the host, with a tmpfs on it that only the clone (recursively taken) carries.
        Path source = Files.createDirectories(tmp.resolve("source/sub"));
        Path clone = Files.createDirectory(tmp.resolve("clone"));
        Path root = Files.createDirectories(tmp.resolve("root/data"));
        Files.createDirectory(tmp.resolve("root/other"));
        Files.createSymbolicLink(tmp.resolve("root/link"), Path.of("/data"));
        String dest = tmp.resolve("root/data").toString();
        // The runtime's read-only bind, in the container's mount namespace only.
        assertEquals("0:", inTarget("mount", "--bind", source.getParent().toString(), dest));
        assertEquals("0:", inTarget("mount", "-o", "remount,bind,ro", dest));
        mount("--bind", source.getParent().toString(), clone.toString());
        try {
            mount("-t", "tmpfs", "-o", "size=1m", "only-the-clone", clone.resolve("sub").toString());
            Files.writeString(clone.resolve("sub/marker"), "x");
            // Through an absolute link, resolved inside the root as the runtime resolved the spec's destination.
            Result r = hook(state(target.pid()), "--rebind", root.getParent().toString(), clone.toString(), "/link");
            assertEquals(0, r.status(), r.describe());
            assertEquals("0:marker", inTarget("ls", dest + "/sub"), "the clone is over the runtime's bind");
            assertTrue(inTarget("touch", dest + "/new").startsWith("1:"), "read-only as the bind it covers");
            assertTrue(Files.notExists(source.resolve("new")));
            assertEquals("0:", inTarget("ls", tmp.resolve("root/other").toString()), "nothing else covered");

            assertFails(hook(state(target.pid()), "--rebind", root.getParent().toString(), clone.toString(), "/other"),
                    "/other inside " + root.getParent() + " in the mount namespace of pid " + target.pid()
                            + " does not show " + clone);
            assertFails(hook(state(target.pid()), "--rebind", root.getParent().toString(), clone.toString(), "/missing"),
                    "cannot open /missing inside " + root.getParent());
        } finally {
            run("", List.of("umount", clone.resolve("sub").toString()));
            Result umount = run("", List.of("umount", clone.toString()));
            assertEquals(0, umount.status(), umount.describe());
        }
    }

    @Test
    void sourcesInTheManagersNamespaceAreFoundFromAHookInAnotherOne() throws Exception {
        // The engine runs the hook in a mount namespace of its own, copied before the source was
        // mounted (as Podman's conmon does): there the source is the bare directory below it.
        Path dir = Files.createDirectory(tmp.resolve("late"));
        mount("-t", "tmpfs", "-o", "size=1m", "late", dir.toString());
        try {
            Path source = source("late/panic", "4716\n");
            String self = "/proc/" + ProcessHandle.current().pid() + "/ns/mnt";
            List<String> inOwnNamespace = List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "umount " + dir + " && exec \"$0\" \"$@\"", HOOK.toString());
            List<String> without = new ArrayList<>(inOwnNamespace);
            without.addAll(List.of(source.toString(), PANIC));
            Result lost = run(state(target.pid()), without);
            assertNotEquals(0, lost.status(), "the source is not in the hook's own namespace: " + lost.describe());
            assertTrue(lost.stderr().contains("cannot clone source " + source), lost.describe());
            List<String> with = new ArrayList<>(inOwnNamespace);
            with.addAll(List.of("--sources-in", self, source.toString(), PANIC));
            Result r = run(state(target.pid()), with);
            assertEquals(0, r.status(), r.describe());
            assertEquals("4716\n", readInTarget(PANIC));
            assertFails(hook(state(target.pid()), "--sources-in", tmp.resolve("nons").toString(), source.toString(), PANIC),
                    "cannot open the sources' mount namespace " + tmp.resolve("nons"));
        } finally {
            Result umount = run("", List.of("umount", dir.toString()));
            assertEquals(0, umount.status(), umount.describe());
        }
    }
}
