package io.sysbox.mgr.network;

import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real network namespace of the host's user namespace, set up as CNI leaves a pod's (a veth
 * end called eth0 with an address and a default route, the namespace bound on a file as
 * containerd keeps it), handed over to namespaces made for a container mapping.
 */
class PodNetworkHandoverTest {
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(3_000_000, 65536),
            new IdRange(3_000_000, 65536));

    @TempDir
    Path tmp;
    private Process holder;
    private Path runtimeNetns;
    private Path dir;
    private final List<Path> mounted = new ArrayList<>();

    @BeforeEach
    void podNetworkAsCniLeavesIt() throws Exception {
        holder = io.sysbox.mgr.testing.HostFixtures.networkNamespaceHolder();
        Path ns = Path.of("/proc", Long.toString(holder.pid()), "ns", "net");
        runtimeNetns = Files.createFile(tmp.resolve("cni-netns"));
        MountApi.mount(ns.toString(), runtimeNetns.toString(), null, MountApi.MS_BIND, null);
        mounted.add(runtimeNetns);
        in(runtimeNetns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
        in(runtimeNetns, "ip", "addr", "add", "10.123.0.2/24", "dev", "eth0");
        in(runtimeNetns, "ip", "link", "set", "eth0", "up");
        in(runtimeNetns, "ip", "link", "set", "lo", "up");
        in(runtimeNetns, "ip", "route", "add", "default", "via", "10.123.0.1");
        in(runtimeNetns, "ip", "-6", "addr", "add", "fd00:123::2/64", "dev", "eth0", "nodad");
        in(runtimeNetns, "ip", "-6", "route", "add", "default", "via", "fd00:123::1");
        dir = tmp.resolve("network");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            for (Path file : List.of(dir.resolve("userns"), dir.resolve("netns"), runtimeNetns, runtimeNetns)) {
                try {
                    MountApi.umount(file.toString(), MountApi.MNT_DETACH);
                } catch (IOException notMounted) {
                    // already undone by the test
                }
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String in(Path netns, String... ip) throws Exception {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + netns, "--"));
        command.addAll(List.of(ip));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
        return out;
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    @Test
    void movesTheInterfacesWithAddressesAndRoutesAndPointsTheRuntimesFileAtTheNewNamespace() throws Exception {
        long original = inode(runtimeNetns);
        PodNetworkHandover.Handed handed = PodNetworkHandover.handOver(runtimeNetns, dir, MAPPING);

        String links = in(handed.netns(), "ip", "-o", "link", "show");
        assertTrue(links.contains(" eth0@"), links);
        assertTrue(in(handed.netns(), "ip", "-4", "addr", "show", "dev", "eth0").contains("inet 10.123.0.2/24"));
        String routes = in(handed.netns(), "ip", "route");
        assertTrue(routes.contains("default via 10.123.0.1 dev eth0"), routes);
        assertTrue(in(handed.netns(), "ip", "-6", "addr", "show", "dev", "eth0").contains("inet6 fd00:123::2/64"));
        String routes6 = in(handed.netns(), "ip", "-6", "route");
        assertTrue(routes6.contains("default via fd00:123::1 dev eth0"), routes6);
        assertTrue(in(handed.netns(), "ip", "link", "show", "lo").contains("UP"), "lo is up");
        assertEquals("0 3000000 65536", Files.readString(Path.of("/proc", Long.toString(ownerPidOf(handed)), "uid_map")).strip()
                .replaceAll("\\s+", " "), "the user namespace carries the mapping");

        assertFalse(in(Path.of("/proc", Long.toString(holder.pid()), "ns", "net"), "ip", "-o", "link", "show").contains(" eth0@"),
                "eth0 left the runtime's namespace");
        assertEquals(inode(handed.netns()), inode(runtimeNetns), "the runtime's file now reaches the pod's namespace");
        assertNotEquals(original, inode(runtimeNetns));

        PodNetworkHandover.undo(dir);
        assertEquals(original, inode(runtimeNetns), "undo takes the overmount off, leaving the runtime's own bind");
        assertFalse(Files.exists(dir.resolve("handed-over")));
        PodNetworkHandover.undo(dir);  // idempotent
        assertEquals(original, inode(runtimeNetns));
    }

    /** A process in the handed-over user namespace, to read its uid_map: nsenter into it runs `cat /proc/self/uid_map`. */
    private long ownerPidOf(PodNetworkHandover.Handed handed) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--user=" + handed.userns(), "--", "sleep", "30").start();
        Path ns = Path.of("/proc", Long.toString(p.pid()), "ns", "user");
        String target = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Files.readSymbolicLink(ns).toString().equals(target) && Instant.now().isBefore(deadline)) Thread.sleep(10);
        sleepers.add(p);
        return p.pid();
    }

    private final List<Process> sleepers = new ArrayList<>();

    @AfterEach
    void stopSleepers() throws Exception {
        for (Process p : sleepers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
