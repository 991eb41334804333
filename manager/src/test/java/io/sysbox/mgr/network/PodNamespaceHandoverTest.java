package io.sysbox.mgr.network;

import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.Namespaces;
import io.sysbox.mgr.idmap.MountInfo;
import io.sysbox.mgr.idmap.OwnedNamespace;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.testing.HostFixtures;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real namespaces of the host's user namespace, set up as a CRI runtime leaves a pod's before
 * the sandbox is created: network (a veth end called eth0 with an address and a default route,
 * as CNI leaves it), ipc and uts, each bound on a file of the runtime's (containerd binds the
 * network one, CRI-O's pinns all three). Handed over to namespaces made for a container mapping.
 */
class PodNamespaceHandoverTest {
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(3_000_000, 65536),
            new IdRange(3_000_000, 65536));

    @TempDir
    Path tmp;
    private Process holder;
    private final Map<OwnedNamespace, Path> runtimeFiles = new EnumMap<>(OwnedNamespace.class);
    private Path dir;
    private final List<Process> sleepers = new ArrayList<>();

    @BeforeEach
    void podNamespacesAsTheRuntimeLeavesThem() throws Exception {
        holder = HostFixtures.namespaceHolder("--net", "--ipc", "--uts");
        for (OwnedNamespace kind : OwnedNamespace.values()) {
            Path file = Files.createFile(tmp.resolve(kind.procName() + "ns-pinned"));
            MountApi.mount(holderNamespace(kind), file.toString(), null, MountApi.MS_BIND, null);
            runtimeFiles.put(kind, file);
        }
        Path netns = runtimeFiles.get(OwnedNamespace.NET);
        in(netns, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0");
        in(netns, "ip", "addr", "add", "10.123.0.2/24", "dev", "eth0");
        in(netns, "ip", "link", "set", "eth0", "up");
        in(netns, "ip", "link", "set", "lo", "up");
        in(netns, "ip", "route", "add", "default", "via", "10.123.0.1");
        in(netns, "ip", "-6", "addr", "add", "fd00:123::2/64", "dev", "eth0", "nodad");
        in(netns, "ip", "-6", "route", "add", "default", "via", "fd00:123::1");
        dir = tmp.resolve("network");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            List<Path> files = new ArrayList<>(runtimeFiles.values());
            files.add(dir.resolve("userns"));
            for (OwnedNamespace kind : OwnedNamespace.values()) files.add(PodNamespaceHandover.fileOf(dir, kind));
            for (Path file : files) {
                while (mountsAt(file) > 0) MountApi.umount(file.toString(), MountApi.MNT_DETACH);
            }
        } finally {
            for (Process p : sleepers) p.destroyForcibly();
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String holderNamespace(OwnedNamespace kind) {
        return "/proc/" + holder.pid() + "/ns/" + kind.procName();
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

    private static long mountsAt(Path file) throws IOException {
        return MountInfo.under(file.getParent()).stream().filter(m -> m.mountPoint().equals(file)).count();
    }

    /** The inode of the user namespace that owns the namespace bound at FILE (ioctl NS_GET_USERNS). */
    private static long ownerOf(Path file) throws Exception {
        int fd = FileDescriptors.openReadOnly(file.toString());
        try {
            int owner = Namespaces.openOwner(fd, file.toString());
            try {
                return inode(Path.of("/proc/self/fd/" + owner));
            } finally {
                FileDescriptors.close(owner);
            }
        } finally {
            FileDescriptors.close(fd);
        }
    }

    /** What CRI-O's and containerd's teardown does with a namespace file: one lazy unmount, then remove. */
    private static void runtimeRemoves(Path file) throws IOException {
        MountApi.umount(file.toString(), MountApi.MNT_DETACH);
        Files.delete(file);
    }

    @Test
    void theNetworkAloneAsContainerdMakesItMovesWithAddressesAndRoutesIntoANamespaceThePodOwns() throws Exception {
        Path runtimeNetns = runtimeFiles.get(OwnedNamespace.NET);
        long original = inode(runtimeNetns);
        PodNamespaceHandover.Handed handed = PodNamespaceHandover.handOver(Map.of(OwnedNamespace.NET, runtimeNetns),
                dir, MAPPING);
        Path netns = handed.namespaces().get(OwnedNamespace.NET);
        assertEquals(Map.of(OwnedNamespace.NET, dir.resolve("netns")), handed.namespaces());

        String links = in(netns, "ip", "-o", "link", "show");
        assertTrue(links.contains(" eth0@"), links);
        assertTrue(in(netns, "ip", "-4", "addr", "show", "dev", "eth0").contains("inet 10.123.0.2/24"));
        String routes = in(netns, "ip", "route");
        assertTrue(routes.contains("default via 10.123.0.1 dev eth0"), routes);
        assertTrue(in(netns, "ip", "-6", "addr", "show", "dev", "eth0").contains("inet6 fd00:123::2/64"));
        String routes6 = in(netns, "ip", "-6", "route");
        assertTrue(routes6.contains("default via fd00:123::1 dev eth0"), routes6);
        assertTrue(in(netns, "ip", "link", "show", "lo").contains("UP"), "lo is up");
        assertEquals("0 3000000 65536", Files.readString(Path.of("/proc", Long.toString(ownerPidOf(handed)), "uid_map")).strip()
                .replaceAll("\\s+", " "), "the user namespace carries the mapping");
        assertEquals(inode(handed.userns()), ownerOf(netns), "the pod's user namespace owns its network namespace");

        assertFalse(in(Path.of(holderNamespace(OwnedNamespace.NET)), "ip", "-o", "link", "show").contains(" eth0@"),
                "eth0 left the runtime's namespace");
        assertEquals(inode(netns), inode(runtimeNetns), "the runtime's file now names the pod's namespace");
        assertNotEquals(original, inode(runtimeNetns));
        assertEquals(1, mountsAt(runtimeNetns), "in place of the runtime's bind, not over it");
        assertEquals(inode(runtimeFiles.get(OwnedNamespace.IPC)), inode(Path.of(holderNamespace(OwnedNamespace.IPC))),
                "a namespace not handed over is left as it was");

        runtimeRemoves(runtimeNetns);
        assertEquals(0, mountsAt(runtimeNetns));
        assertTrue(in(netns, "ip", "-o", "link", "show").contains(" eth0@"), "the pod's own bind keeps its namespace");
    }

    @Test
    void pinnedIpcAndUtsAsCrioMakesThemAreReplacedByNamespacesThePodOwnsAndTheRuntimeRemovesItsFilesAsBefore()
            throws Exception {
        Map<OwnedNamespace, Long> originals = new EnumMap<>(OwnedNamespace.class);
        for (Map.Entry<OwnedNamespace, Path> file : runtimeFiles.entrySet()) originals.put(file.getKey(), inode(file.getValue()));
        long hostUserns = inode(Path.of("/proc/self/ns/user"));
        assertEquals(hostUserns, ownerOf(runtimeFiles.get(OwnedNamespace.UTS)), "pinned in the host's user namespace");

        PodNamespaceHandover.Handed handed = PodNamespaceHandover.handOver(runtimeFiles, dir, MAPPING);

        assertEquals(Map.of(OwnedNamespace.NET, dir.resolve("netns"), OwnedNamespace.IPC, dir.resolve("ipcns"),
                OwnedNamespace.UTS, dir.resolve("utsns")), handed.namespaces());
        long podUserns = inode(handed.userns());
        assertNotEquals(hostUserns, podUserns);
        for (OwnedNamespace kind : OwnedNamespace.values()) {
            Path runtime = runtimeFiles.get(kind);
            Path pod = handed.namespaces().get(kind);
            assertEquals(podUserns, ownerOf(pod), kind + ": owned by the pod's user namespace");
            assertEquals(inode(pod), inode(runtime), kind + ": the runtime's file names the pod's namespace");
            assertNotEquals((long) originals.get(kind), inode(runtime), kind.procName());
            assertEquals(1, mountsAt(runtime), kind + ": one mount on the runtime's file");
        }
        assertTrue(in(handed.namespaces().get(OwnedNamespace.NET), "ip", "-o", "link", "show").contains(" eth0@"));

        for (Path runtime : runtimeFiles.values()) {
            runtimeRemoves(runtime);   // CRI-O's RemoveManagedNamespaces: no EBUSY from a bind left below
            assertFalse(Files.exists(runtime));
        }
    }

    @Test
    void aRuntimeFileThatIsNoMountIsGivenThePodsNamespaceAllTheSame() throws Exception {
        Path plain = Files.createFile(tmp.resolve("utsns-plain"));
        PodNamespaceHandover.Handed handed = PodNamespaceHandover.handOver(Map.of(OwnedNamespace.UTS, plain), dir, MAPPING);
        assertEquals(inode(handed.namespaces().get(OwnedNamespace.UTS)), inode(plain));
        MountApi.umount(plain.toString(), MountApi.MNT_DETACH);
    }

    /** A process in the handed-over user namespace, to read its uid_map: nsenter into it runs `sleep`. */
    private long ownerPidOf(PodNamespaceHandover.Handed handed) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--user=" + handed.userns(), "--", "sleep", "30").start();
        sleepers.add(p);
        Path ns = Path.of("/proc", Long.toString(p.pid()), "ns", "user");
        String target = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Files.readSymbolicLink(ns).toString().equals(target) && Instant.now().isBefore(deadline)) Thread.sleep(10);
        return p.pid();
    }
}
