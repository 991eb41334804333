package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.Container;
import io.sysbox.fs.emulation.ContainerLayout;
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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulated /sys nodes over a real FUSE mount. This host has no DMI product_uuid, so most
 * tests serve a /sys of the test's own making (a directory with the files the layout reads);
 * one serves the host's real /sys.
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
        ContainerLayout layout = ContainerLayout.standard(Path.of("/proc"), hostSys);
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
    void onTheRealHostOnlyWhatTheHostHasIsServed() throws Exception {
        mountWith(Path.of("/sys"));
        register("c1");
        for (String path : List.of("kernel/config", "kernel/debug", "kernel/tracing", "kernel/security",
                "devices/virtual/dmi/id/product_uuid", "module/nf_conntrack/parameters/hashsize")) {
            assertEquals(Files.exists(Path.of("/sys").resolve(path)), Files.exists(sys("c1", path)), path);
        }
        Path hashsize = Path.of("/sys/module/nf_conntrack/parameters/hashsize");
        if (Files.exists(hashsize)) {
            assertEquals(Files.readString(hashsize), Files.readString(sys("c1", "module/nf_conntrack/parameters/hashsize")));
        }
        assertThrows(NoSuchFileException.class, () -> Files.readString(sys("c1", "kernel/mm")));
    }
}
