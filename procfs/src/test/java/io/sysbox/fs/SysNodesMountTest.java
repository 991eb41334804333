package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulated /sys nodes over a real FUSE mount. This host has no DMI product_uuid, so some
 * tests serve a /sys of the test's own making (a directory with the files the layout reads);
 * the others serve the host's real /sys, passed through.
 */
class SysNodesMountTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");
    private static final String HOST_UUID = "4c4c4544-0042-3510-8052-b4c04f384b32";
    private static final String HOST_HASHSIZE = "65536\n";

    private Path base;
    private Path mountpoint;
    private Path fakeSys;
    private SysboxFsMount mount;

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-sys-");
        mountpoint = base.resolve("mnt");
        fakeSys = base.resolve("sys");
        Path online = fakeSys.resolve("devices/system/cpu/online");
        Files.createDirectories(online.getParent());
        Files.copy(Path.of("/sys/devices/system/cpu/online"), online);
        Path uuid = fakeSys.resolve("devices/virtual/dmi/id/product_uuid");
        Files.createDirectories(uuid.getParent());
        Files.writeString(uuid, HOST_UUID + "\n");
        Files.setPosixFilePermissions(uuid, PosixFilePermissions.fromString("r--------"));
        Path hashsize = fakeSys.resolve("module/nf_conntrack/parameters/hashsize");
        Files.createDirectories(hashsize.getParent());
        Files.writeString(hashsize, HOST_HASHSIZE);
        Files.setPosixFilePermissions(hashsize, PosixFilePermissions.fromString("rw-------"));
        for (String name : List.of("config", "debug", "tracing", "security")) {
            Files.createDirectories(fakeSys.resolve("kernel").resolve(name));
        }
        // Something the container must not see through the emulated directory.
        Files.writeString(fakeSys.resolve("kernel/debug/host-secret"), "x");
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mount != null) mount.close();
        } finally {
            assertFalse(Mounts.isMountPoint(mountpoint), "the FUSE mount outlived close()");
            TempDirs.delete(base);
        }
    }

    private void mountWith(Path hostSys) throws IOException {
        mountWith(hostSys, Path.of("/etc/machine-id"));
    }

    private void mountWith(Path hostSys, Path machineId) throws IOException {
        ContainerLayout layout = ContainerLayout.standard(Path.of("/proc"), hostSys, machineId);
        try {
            mount = SysboxFsMount.mount(mountpoint, 4, layout, LOG);
        } catch (IOException | RuntimeException e) {
            layout.close();
            throw e;
        }
    }

    private void register(String... ids) throws Exception {
        for (String id : ids) {
            mount.registry().register(new Container(id, BootClock.nanos(), Map.of(), 0, 100000, 100000));
        }
    }

    private Path sys(String id, String path) {
        return mountpoint.resolve(id).resolve("sys").resolve(path);
    }

    @Test
    void kernelFileSystemMountPointsAreEmptyDirectories() throws Exception {
        mountWith(fakeSys);
        register("c1");
        for (String name : List.of("config", "debug", "tracing", "security")) {
            Path dir = sys("c1", "kernel/" + name);
            assertTrue(Files.isDirectory(dir), dir.toString());
            try (Stream<Path> entries = Files.list(dir)) {
                assertEquals(List.of(), entries.toList(), dir.toString());
            }
            assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        }
        try (Stream<Path> kernel = Files.list(sys("c1", "kernel"))) {
            assertEquals(List.of("config", "debug", "security", "tracing"),
                    kernel.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void productUuidIsStablePerContainerAndDiffersBetweenContainers() throws Exception {
        mountWith(fakeSys);
        register("c1", "c2");
        String c1 = Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid"));
        String c2 = Files.readString(sys("c2", "devices/virtual/dmi/id/product_uuid"));
        assertTrue(c1.matches(HOST_UUID.substring(0, 24) + "[0-9a-f]{12}\n"), c1);
        assertTrue(c2.matches(HOST_UUID.substring(0, 24) + "[0-9a-f]{12}\n"), c2);
        assertNotEquals(c1, c2);
        assertNotEquals(HOST_UUID + "\n", c1);
        for (int i = 0; i < 5; i++) assertEquals(c1, Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid")));
        assertEquals("r--------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sys("c1", "devices/virtual/dmi/id/product_uuid"))));
        // Derived from the id alone: the same after the container is registered again (sysbox-fs restarted).
        mount.registry().unregister("c1");
        register("c1");
        assertEquals(c1, Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid")));
    }

    @Test
    void containersOfOnePodShareTheProductUuidOfItsFirstContainer() throws Exception {
        mountWith(fakeSys);
        register("pause", "loner");
        mount.registry().register(new Container("app", BootClock.nanos(), Map.of(), 0, 100000, 100000),
                java.util.Optional.of("pause"));
        String pause = Files.readString(sys("pause", "devices/virtual/dmi/id/product_uuid"));
        assertEquals(pause, Files.readString(sys("app", "devices/virtual/dmi/id/product_uuid")));
        assertNotEquals(pause, Files.readString(sys("loner", "devices/virtual/dmi/id/product_uuid")));
        mount.registry().unregister("pause");
        assertEquals(pause, Files.readString(sys("app", "devices/virtual/dmi/id/product_uuid")),
                "the pod keeps its identity after its first container is gone");
    }

    @Test
    void conntrackHashsizeIsPerContainer() throws Exception {
        mountWith(fakeSys);
        register("c1", "c2");
        Path c1 = sys("c1", "module/nf_conntrack/parameters/hashsize");
        Path c2 = sys("c2", "module/nf_conntrack/parameters/hashsize");
        assertEquals(HOST_HASHSIZE, Files.readString(c1));
        Files.writeString(c1, "131072\n");
        assertEquals("131072\n", Files.readString(c1));
        assertEquals(HOST_HASHSIZE, Files.readString(c2));
        assertEquals(HOST_HASHSIZE, Files.readString(fakeSys.resolve("module/nf_conntrack/parameters/hashsize")));
        IOException zero = assertThrows(IOException.class, () -> Files.writeString(c2, "0\n"));
        assertTrue(String.valueOf(zero.getMessage()).contains("Invalid argument"), zero.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c1)));
    }

    @Test
    void onTheRealHostSysKernelPassesTheHostsNodesThrough() throws Exception {
        mountWith(Path.of("/sys"));
        register("c1");
        Path hostKernel = Path.of("/sys/kernel");
        Set<String> expected = new TreeSet<>(names(hostKernel));
        expected.addAll(List.of("config", "debug", "tracing", "security"));
        assertEquals(expected, new TreeSet<>(names(sys("c1", "kernel"))));
        for (String name : List.of("config", "debug", "tracing", "security")) {
            assertEquals(List.of(), names(sys("c1", "kernel/" + name)), "kernel/" + name + " is empty whatever the host has");
        }
        // A host file: same content, same mode, owned by the container's root; a directory walked into.
        Path seqnum = sys("c1", "kernel/address_bits");
        assertEquals(Files.readString(hostKernel.resolve("address_bits")), Files.readString(seqnum));
        assertEquals(Files.getPosixFilePermissions(hostKernel.resolve("address_bits")), Files.getPosixFilePermissions(seqnum));
        assertEquals(100000, (Integer) Files.getAttribute(seqnum, "unix:uid"));
        assertEquals(100000, (Integer) Files.getAttribute(sys("c1", "kernel/mm"), "unix:uid"));
        assertEquals(names(hostKernel.resolve("mm")), names(sys("c1", "kernel/mm")));
        // Writable on the host (0644), refused to the container as sysfs refuses a user-namespaced root.
        Path writable = sys("c1", "kernel/rcu_expedited");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(writable)));
        String before = Files.readString(hostKernel.resolve("rcu_expedited"));
        IOException refused = assertThrows(IOException.class, () -> Files.writeString(writable, before));
        assertTrue(String.valueOf(refused.getMessage()).contains("Permission denied")
                || refused instanceof java.nio.file.AccessDeniedException, refused.toString());
        assertThrows(IOException.class, () -> Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(sys("c1", "kernel/no-such-node")));
    }

    @Test
    void onTheRealHostSysDevicesVirtualPassesThroughWithTheContainersProductUuid() throws Exception {
        mountWith(Path.of("/sys"));
        register("c1", "c2");
        Path host = Path.of("/sys/devices/virtual");
        Set<String> expected = new TreeSet<>(names(host));
        expected.add("dmi");
        assertEquals(expected, new TreeSet<>(names(sys("c1", "devices/virtual"))));
        // Symbolic links read as the host's: relative, so they resolve inside the container's /sys.
        Path subsystem = sys("c1", "devices/virtual/net/lo/subsystem");
        assertTrue(Files.isSymbolicLink(subsystem));
        assertEquals(Files.readSymbolicLink(host.resolve("net/lo/subsystem")), Files.readSymbolicLink(subsystem));
        assertEquals(Files.readString(host.resolve("net/lo/mtu")), Files.readString(sys("c1", "devices/virtual/net/lo/mtu")));
        String c1 = Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid"));
        String c2 = Files.readString(sys("c2", "devices/virtual/dmi/id/product_uuid"));
        String uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n";
        assertTrue(c1.matches(uuid), c1);
        assertTrue(c2.matches(uuid), c2);
        assertNotEquals(c1, c2);
        assertEquals(c1.substring(0, 24), c2.substring(0, 24), "one host prefix");
        assertEquals(c1, Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid")));
        if (!Files.exists(host.resolve("dmi"))) {
            assertEquals(List.of("id"), names(sys("c1", "devices/virtual/dmi")));
            assertEquals(List.of("product_uuid"), names(sys("c1", "devices/virtual/dmi/id")));
        }
    }

    @Test
    void withoutDmiTheHostPrefixComesFromTheMachineId() throws Exception {
        Files.delete(fakeSys.resolve("devices/virtual/dmi/id/product_uuid"));
        Path machineId = base.resolve("machine-id");
        Files.writeString(machineId, "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        mountWith(fakeSys, machineId);
        register("c1");
        String c1 = Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid"));
        assertTrue(c1.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n"), c1);
        assertFalse(c1.replace("-", "").startsWith("3d1219c7"), "the machine id itself is not shown: " + c1);
        assertEquals("r--------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sys("c1", "devices/virtual/dmi/id/product_uuid"))));
        mount.close();
        mount = null;
        Files.writeString(machineId, "0123456789abcdef0123456789abcdef\n");
        mountWith(fakeSys, machineId);
        register("c1");
        String again = Files.readString(sys("c1", "devices/virtual/dmi/id/product_uuid"));
        assertNotEquals(c1.substring(0, 24), again.substring(0, 24), "another machine id, another prefix");
    }

    @Test
    void hostNodesGoWithTheirContainer() throws Exception {
        mountWith(Path.of("/sys"));
        register("c1");
        Path mm = sys("c1", "kernel/mm");
        assertTrue(Files.isDirectory(mm));
        Object key = Files.getAttribute(mm, "unix:ino");
        mount.registry().unregister("c1");
        assertFalse(Files.exists(mm));
        register("c1");
        assertNotEquals(key, Files.getAttribute(sys("c1", "kernel/mm"), "unix:ino"), "a new registration, new ids");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
