package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.FilesystemContext;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.testing.FakeDockerLayer;
import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads real overlays back from the kernel's mount table, whichever way they were mounted. */
class OverlayMountTableTest {
    private Path base;

    @BeforeEach
    void setUp() throws Exception {
        base = HostFixtures.tempDir("overlay-table-");
    }

    @AfterEach
    void tearDown() throws Exception {
        HostFixtures.cleanUp(base);
    }

    @Test
    void dockersAbsoluteMountResolvesTheShortSymlinks() throws Exception {
        FakeDockerLayer docker = FakeDockerLayer.create(base, "");
        OverlayLayers layers = OverlayMountTable.at(docker.merged).orElseThrow();
        assertEquals(List.of(docker.lower2, docker.lower1), layers.lowerDirs(), "top-most first, l/ links resolved");
        assertEquals(docker.upper, layers.upperDir());
        assertEquals(docker.work, layers.workDir());
        assertEquals(docker.merged, layers.mountPoint());
    }

    @Test
    void dockersRelativeMountIsResolvedAgainstItsHome() throws Exception {
        FakeDockerLayer docker = FakeDockerLayer.createRelative(base);
        String printed = HostFixtures.mountsUnder(docker.merged).getFirst().superOptions();
        assertTrue(printed.contains("lowerdir=l/BBBB:l/AAAA"), "the kernel prints what it was given: " + printed);
        OverlayLayers layers = OverlayMountTable.at(docker.merged).orElseThrow();
        assertEquals(List.of(docker.lower2, docker.lower1), layers.lowerDirs());
        assertEquals(docker.upper, layers.upperDir());
        assertEquals(docker.work, layers.workDir());
    }

    @Test
    void separatorsAndBlanksInPathsSurviveBothWaysOfMounting() throws Exception {
        Path low1 = Files.createDirectories(base.resolve("low:a,b"));
        Path low2 = Files.createDirectories(base.resolve("low 2\\x"));
        Path upper = Files.createDirectories(base.resolve("up,per"));
        Path work = Files.createDirectories(base.resolve("wo\\rk"));
        Path legacy = Files.createDirectories(base.resolve("legacy"));
        FakeDockerLayer.run(base, "mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + esc(low1) + ":" + esc(low2) + ",upperdir=" + esc(upper) + ",workdir=" + esc(work) + ",redirect_dir=on",
                legacy.toString());
        OverlayLayers viaMount = OverlayMountTable.at(legacy).orElseThrow();
        assertEquals(List.of(low1, low2), viaMount.lowerDirs());
        assertEquals(upper, viaMount.upperDir());
        assertEquals(work, viaMount.workDir());
        assertTrue(viaMount.options().contains("redirect_dir=on"), "other options are carried: " + viaMount.options());
        MountApi.umount(legacy.toString(), 0);

        // fsconfig with one "lowerdir+" per layer: printed raw, one option per layer.
        Path perLayer = Files.createDirectories(base.resolve("per-layer"));
        try (FilesystemContext fs = FilesystemContext.open("overlay")) {
            fs.set("lowerdir+", low1.toString());
            fs.set("lowerdir+", low2.toString());
            fs.set("upperdir", upper.toString());
            fs.set("workdir", work.toString().replace("\\", "\\\\"));
            fs.create();
            int mount = fs.mount(0);
            try {
                MountApi.moveMount(mount, perLayer.toString());
            } finally {
                MountApi.close(mount);
            }
        }
        String printed = HostFixtures.mountsUnder(perLayer).getFirst().superOptions();
        assertTrue(printed.contains("lowerdir+="), printed);
        OverlayLayers viaFsconfig = OverlayMountTable.at(perLayer).orElseThrow();
        assertEquals(List.of(low1, low2), viaFsconfig.lowerDirs());
        assertEquals(upper, viaFsconfig.upperDir());
        assertEquals(work, viaFsconfig.workDir());
    }

    @Test
    void aReadOnlyOverlayHasNoUpperLayer() throws Exception {
        Path a = Files.createDirectories(base.resolve("a"));
        Path b = Files.createDirectories(base.resolve("b"));
        Path m = Files.createDirectories(base.resolve("m"));
        FakeDockerLayer.run(base, "mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + a + ":" + b, m.toString());
        OverlayLayers layers = OverlayMountTable.at(m).orElseThrow();
        assertEquals(List.of(a, b), layers.lowerDirs());
        assertNull(layers.upperDir());
        assertNull(layers.workDir());
    }

    @Test
    void aDirectoryOrSomethingElseMountedIsNotAnOverlay() throws Exception {
        assertTrue(OverlayMountTable.at(base).isEmpty(), "a plain directory");
        Path tmpfs = Files.createDirectories(base.resolve("t"));
        MountApi.mount("tmpfs", tmpfs.toString(), "tmpfs", 0, null);
        assertTrue(OverlayMountTable.at(tmpfs).isEmpty(), "a tmpfs");
    }

    @Test
    void unsupportedLayoutsAreRefusedByName() throws Exception {
        Path mountPoint = base.resolve("m");
        OverlayRootfsException dataOnly = assertThrows(OverlayRootfsException.class,
                () -> OverlaySuperOptions.parse(mountPoint, "rw,lowerdir=/a::/b"));
        assertTrue(dataOnly.getMessage().contains("data-only") && dataOnly.getMessage().contains(mountPoint.toString()),
                dataOnly.getMessage());
        OverlayRootfsException missing = assertThrows(OverlayRootfsException.class,
                () -> OverlaySuperOptions.parse(mountPoint, "rw,lowerdir=" + base.resolve("gone") + ",upperdir=" + base
                        + ",workdir=" + base));
        assertTrue(missing.getMessage().contains("lowerdir") && missing.getMessage().contains("gone"), missing.getMessage());

        FakeDockerLayer docker = FakeDockerLayer.create(base, "");
        Path bind = Files.createDirectories(base.resolve("bind"));
        MountApi.mount(docker.merged.resolve("etc").toString(), bind.toString(), null, MountApi.MS_BIND, null);
        OverlayRootfsException sub = assertThrows(OverlayRootfsException.class, () -> OverlayMountTable.at(bind));
        assertTrue(sub.getMessage().contains("bind mount of /etc"), sub.getMessage());
    }

    private static String esc(Path p) {
        return p.toString().replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }
}
