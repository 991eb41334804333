package io.sysbox.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 3: every namespace is private, and specs sharing one with the host are refused.
 * Issue 12, acceptance 7 (runtime-tools' linux_ns_path): a namespace joined by path that the
 * container's root could not use is refused saying why; a host process's network namespace is joined.
 */
class NamespaceIT extends SuiteLifecycle {
    private static final List<String> NAMESPACES = List.of("user", "cgroup", "pid", "net", "ipc", "uts", "mnt");

    @Test
    void everyNamespaceOfTheContainerDiffersFromTheHosts() throws IOException {
        String id = containers.startSleeping("ns");
        String script = "for n in " + String.join(" ", NAMESPACES) + "; do echo \"$n $(readlink /proc/1/ns/$n)\"; done";
        Map<String, String> inside = new HashMap<>();
        for (String line : containers.exec(id, "sh", "-c", script).strip().split("\n")) {
            String[] f = line.split(" ", 2);
            inside.put(f[0], f.length > 1 ? f[1] : "");
        }
        for (String ns : NAMESPACES) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
            String theirs = inside.get(ns);
            assertTrue(theirs != null && theirs.startsWith(ns + ":["), "readlink /proc/1/ns/" + ns + " inside gave " + theirs);
            assertNotEquals(host, theirs, ns + " namespace is shared with the host");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"network", "pid", "ipc", "uts", "mount"})
    void aSpecWithoutAPrivateNamespaceIsRefusedNamingIt(String type) throws IOException {
        String id = env.newContainerId("ns-dropped");
        BusyboxBundle bundle = env.bundle(id).withoutNamespace(type).write();
        Path pidFile = env.directory("pids").resolve(id + ".pid");
        CommandResult create = containers.runc().run("create", "--bundle", bundle.dir().toString(),
                "--pid-file", pidFile.toString(), id);
        containers.assertRefused(create, type);
        assertFalse(Files.exists(pidFile), "a refused create wrote a pid file");
        assertNotEquals(0, containers.runc().run("state", id).exitCode(), "a refused container has state");
        assertEquals(List.of(), env.leakCheck().leaks(), "a refused create left something behind");
    }

    /** Namespaces `unshare` makes on the host: owned by the host's user namespace, though not the host's own. */
    @ParameterizedTest
    @CsvSource({"ipc, ipc, --ipc", "uts, uts, --uts", "mount, mnt, --mount", "pid, pid_for_children, --pid --fork"})
    void aNamespaceOfTheHostsUserNamespaceIsRefusedSayingWhy(String type, String kind, String flags) throws Exception {
        Process holder = unshared(kind, flags.split(" "));
        try {
            String id = env.newContainerId("ns-foreign");
            String path = "/proc/" + holder.pid() + "/ns/" + kind;
            BusyboxBundle bundle = env.bundle(id).namespacePath(type, path).write();
            CommandResult create = containers.runc().run("create", "--bundle", bundle.dir().toString(), id);
            containers.assertRefused(create, type, path, "host's user namespace", "no privileges");
            assertNotEquals(0, containers.runc().run("state", id).exitCode(), "a refused container has state");
            assertEquals(List.of(), env.leakCheck().leaks(), "a refused create left something behind");
        } finally {
            stop(holder);
        }
    }

    /**
     * A network namespace of a host process is no container's: the container gets a user
     * namespace and range of its own (not the process's, the host's) and runs in that network.
     */
    @Test
    void aHostProcesssNetworkNamespaceIsJoinedWithAUserNamespaceOfItsOwn() throws Exception {
        Process holder = unshared("net", "--net");
        try {
            String id = env.newContainerId("ns-hostproc");
            Path netns = Path.of("/proc/" + holder.pid() + "/ns/net");
            containers.runDetached(env.bundle(id).namespacePath("network", netns.toString()).write(), id);
            long init = containers.initPid(id);
            assertEquals(Files.readSymbolicLink(netns), Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/net")),
                    "the container is not in the network namespace it asked for");
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")),
                    Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/user")), "the container shares the host's user namespace");
            assertNotEquals(0, Containers.hostUidMap(init).hostId(), "the container's root is host root");
            assertTrue(containers.exec(id, "ls", "/sys/class/net").contains("lo"), "no sysfs of its network namespace");
        } finally {
            stop(holder);
        }
    }

    /** `unshare FLAGS sleep 600`, once it is in its new KIND namespace. */
    private static Process unshared(String kind, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(List.of(flags));
        command.addAll(List.of("sleep", "600"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Path theirs = Path.of("/proc/" + p.pid() + "/ns/" + kind);
        Path ours = Path.of("/proc/self/ns/" + kind);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (p.isAlive() && System.nanoTime() < deadline && Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
            Thread.sleep(10);
        }
        if (Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
            stop(p);
            throw new AssertionError(command + " made no " + kind + " namespace");
        }
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
