package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FilesystemContext;
import io.sysbox.mgr.testing.FakeDockerLayer;
import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the kernel (6.18) accepts when a second overlay shares the upper layer of a mounted one. */
class OverlayMounterTest {
    private Path base;

    @BeforeEach
    void setUp() throws Exception {
        base = HostFixtures.tempDir("overlay-mounter-");
    }

    @AfterEach
    void tearDown() throws Exception {
        HostFixtures.cleanUp(base);
    }

    @Test
    void aSecondOverlayOnTheEnginesInUseUpperLayerMountsWithIndexOff() throws Exception {
        FakeDockerLayer docker = FakeDockerLayer.create(base, "");
        SysboxWorkDir work = SysboxWorkDir.in(docker.work);
        work.create();
        Path target = Files.createDirectory(base.resolve("shifted"));
        OverlayMounter.mount(List.of(docker.lower2, docker.lower1), docker.upper, work.overlayWork(), List.of(), target);

        assertEquals(2, HostFixtures.mountsUnder(base).stream().filter(m -> m.fsType().equals("overlay")).count());
        assertEquals("notes", Files.readString(target.resolve("home/user/notes")), "lower layers");
        assertEquals("todo", Files.readString(target.resolve("home/user/todo")), "upper layer");
        Files.writeString(target.resolve("etc/new"), "written through the second overlay");
        assertTrue(Files.exists(docker.upper.resolve("etc/new")), "lands in the shared upper layer");
        assertTrue(Files.isDirectory(work.overlayWork().resolve("work")), "overlayfs uses sysbox's own workdir");
        assertTrue(Files.isDirectory(docker.work.resolve("work")), "the engine's stays as it was");
    }

    @Test
    void withTheInodesIndexOnTheKernelRefusesAnInUseUpperLayer() throws Exception {
        FakeDockerLayer docker = FakeDockerLayer.create(base, "");
        SysboxWorkDir work = SysboxWorkDir.in(docker.work);
        work.create();
        // What OverlayMounter would do, but with index=on: the reason it always sets index=off.
        try (FilesystemContext fs = FilesystemContext.open("overlay")) {
            fs.set("lowerdir+", docker.lower1.toString());
            fs.set("upperdir", docker.upper.toString());
            fs.set("workdir", work.overlayWork().toString());
            fs.set("index", "on");
            ErrnoException busy = assertThrows(ErrnoException.class, fs::create);
            assertEquals(ErrnoException.EBUSY, busy.errno());
        }
    }

    @Test
    void moreLayersThanMount2sOnePageCanName() throws Exception {
        String longName = "layer-" + "x".repeat(120) + "-";
        List<Path> lowers = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            Path lower = Files.createDirectories(base.resolve(longName + i));
            Files.writeString(lower.resolve("from-" + i), Integer.toString(i));
            lowers.add(lower);
        }
        assertTrue(String.join(":", lowers.stream().map(Path::toString).toList()).length() > 4096);
        Path upper = Files.createDirectory(base.resolve("upper"));
        Path work = Files.createDirectory(base.resolve("work"));
        Path target = Files.createDirectory(base.resolve("merged"));
        OverlayMounter.mount(lowers, upper, work, List.of(), target);
        assertEquals("0", Files.readString(target.resolve("from-0")));
        assertEquals("47", Files.readString(target.resolve("from-47")));
    }

    @Test
    void aPathTooLongForFsconfigFallsBackToMount2() throws Exception {
        // fsconfig(2) takes values of at most 255 bytes.
        Path deep = Files.createDirectories(base.resolve("d".repeat(200)).resolve("e".repeat(100)));
        Path lower = Files.createDirectory(base.resolve("lower"));
        Files.writeString(lower.resolve("f"), "from the lower layer");
        Path upper = Files.createDirectory(deep.resolve("upper"));
        Path work = Files.createDirectory(deep.resolve("work"));
        Path target = Files.createDirectory(base.resolve("merged"));
        OverlayMounter.mount(List.of(lower), upper, work, List.of(), target);
        assertEquals("from the lower layer", Files.readString(target.resolve("f")));
        Files.writeString(target.resolve("g"), "up");
        assertTrue(Files.exists(upper.resolve("g")));
    }

    @Test
    void layersThatFitNeitherWayAreRefusedWithAMessage() throws Exception {
        Path deep = Files.createDirectories(base.resolve("d".repeat(200)).resolve("e".repeat(100)));
        List<Path> lowers = new ArrayList<>();
        for (int i = 0; i < 16; i++) lowers.add(Files.createDirectory(deep.resolve("layer" + i)));
        Path target = Files.createDirectory(base.resolve("merged"));
        OverlayRootfsException e = assertThrows(OverlayRootfsException.class,
                () -> OverlayMounter.mount(lowers, null, null, List.of(), target));
        assertTrue(e.getMessage().contains("16 layers") && e.getMessage().contains("--data-root"), e.getMessage());
        assertTrue(HostFixtures.mountsUnder(target).isEmpty());
    }

    @Test
    void aRefusalCarriesTheKernelsExplanation() throws Exception {
        Path lower = Files.createDirectory(base.resolve("lower"));
        Path target = Files.createDirectory(base.resolve("merged"));
        OverlayRootfsException e = assertThrows(OverlayRootfsException.class,
                () -> OverlayMounter.mount(List.of(lower), null, null, List.of("no_such_option=1"), target));
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("no_such_option"), e.getMessage());
        assertTrue(e.getMessage().contains("Unknown parameter"), "the kernel's words: " + e.getMessage());
    }
}
