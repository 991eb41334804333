package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.Ownership;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.testing.FakeDockerLayer;
import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.sysbox.mgr.testing.HostFixtures.gid;
import static io.sysbox.mgr.testing.HostFixtures.mode;
import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TreeOwnershipShiftTest {
    private static final long H = 3_000_000_000L;
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(H, 65536), new IdRange(H, 65536));

    private Path base;
    private Path tree;
    private Path journal;
    private IdShift up;

    @BeforeEach
    void setUp() throws Exception {
        base = HostFixtures.tempDir("tree-shift-");
        tree = Files.createDirectory(base.resolve("diff"));
        journal = base.resolve("journal");
        up = IdShift.toHost(MAPPING);
    }

    @AfterEach
    void tearDown() throws Exception {
        HostFixtures.cleanUp(base);
    }

    private Path file(String name, int uid, int gid, int mode) throws Exception {
        Path p = Files.writeString(tree.resolve(name), name);
        Ownership.lchown(p.toString(), uid, gid);
        Files.setAttribute(p, "unix:mode", mode);
        return p;
    }

    private static byte[] v3Capabilities(long rootId) {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0300_0001).putInt(1 << 13).putInt(0).putInt(0).putInt(0).putInt((int) rootId);
        return b.array();
    }

    @Test
    void ownersMoveThereAndBackKeepingWhatChownStrips() throws Exception {
        Path plain = file("plain", 0, 0, 0644);
        Path user = file("user", 1000, 1000, 0640);
        Path setuid = file("su", 0, 0, 04755);
        Path setgid = file("sg", 0, 1000, 02755);
        Path caps = file("ping", 0, 0, 0755);
        ExtendedAttributes.set(caps, FileCapabilities.XATTR, FakeDockerLayer.NET_RAW);
        Path stranger = file("stranger", 70000, 70000, 0644);
        Path dir = Files.createDirectory(tree.resolve("shared"));
        Files.setAttribute(dir, "unix:mode", 02775);
        Path outside = Files.writeString(base.resolve("outside"), "target of a symlink");
        Path link = Files.createSymbolicLink(tree.resolve("link"), outside);

        // diff, plain, user, su, sg, ping, shared, link: everything but the stranger.
        assertEquals(8, new TreeOwnershipShift(up, journal).apply(tree));
        assertEquals(H, uid(tree));
        assertEquals(H, uid(plain));
        assertEquals(H + 1000, uid(user));
        assertEquals(H + 1000, gid(user));
        assertEquals(04755, mode(setuid) & 07777, "setuid bit restored after chown");
        assertEquals(H, uid(setuid));
        assertEquals(02755, mode(setgid) & 07777);
        assertEquals(H + 1000, gid(setgid));
        assertArrayEquals(FakeDockerLayer.NET_RAW,
                ExtendedAttributes.get(caps, FileCapabilities.XATTR).orElseThrow(), "capabilities restored");
        assertEquals(70000, uid(stranger), "ids outside the container's range are left alone");
        assertEquals(02775, mode(dir) & 07777);
        assertEquals(H, uid(dir));
        assertEquals(H, uid(link), "the link itself");
        assertEquals(0, uid(outside), "never its target");
        assertFalse(Files.exists(journal), "no journal once done");

        assertEquals(0, new TreeOwnershipShift(up, journal).apply(tree), "a second run changes nothing");

        assertEquals(8, new TreeOwnershipShift(up.inverse(), journal).apply(tree));
        assertEquals(0, uid(tree));
        assertEquals(0, uid(plain));
        assertEquals(1000, uid(user));
        assertEquals(04755, mode(setuid) & 07777);
        assertEquals(0, uid(setuid));
        assertEquals(1000, gid(setgid));
        assertEquals(02755, mode(setgid) & 07777);
        assertArrayEquals(FakeDockerLayer.NET_RAW, ExtendedAttributes.get(caps, FileCapabilities.XATTR).orElseThrow());
        assertEquals(70000, uid(stranger));
        assertEquals(0, uid(link));
    }

    @Test
    void aCapabilitySetInsideTheContainerIsGivenBackAsRoots() throws Exception {
        // setcap by the container's root: the kernel stores a v3 value naming the container's host root.
        Path ping = file("ping", (int) H, (int) H, 0755);
        ExtendedAttributes.set(ping, FileCapabilities.XATTR, v3Capabilities(H));
        assertArrayEquals(v3Capabilities(H), ExtendedAttributes.get(ping, FileCapabilities.XATTR).orElseThrow());

        new TreeOwnershipShift(up.inverse(), journal).apply(tree);
        assertEquals(0, uid(ping));
        // Root id 0 written from the host is what a plain (v2) capability means: the kernel stores that.
        assertArrayEquals(FakeDockerLayer.NET_RAW, ExtendedAttributes.get(ping, FileCapabilities.XATTR).orElseThrow(),
                "valid for root again, as docker commit needs");
    }

    @Test
    void idsAlreadyInTheTargetRangeAreNotMovedAgain() throws Exception {
        Path shifted = file("shifted", (int) (H + 5), (int) (H + 5), 0644);
        Path root = file("root", 0, 0, 0644);
        new TreeOwnershipShift(up, journal).apply(tree);
        assertEquals(H + 5, uid(shifted));
        assertEquals(H, uid(root));
    }

    @Test
    void aCrashBetweenChownAndRestoringTheBitsIsRepairedByTheNextRun() throws Exception {
        Path setuid = file("su", 0, 0, 04755);
        // What the walk had done when the manager was killed: written down su's bits, chowned it.
        new PrivilegeJournal(journal).record(setuid, H, H, 0100000 | 04755, null);
        Ownership.lchown(setuid.toString(), (int) H, (int) H);
        assertEquals(0, mode(setuid) & 04000, "chown stripped the bit");

        new TreeOwnershipShift(up, journal).apply(tree);
        assertEquals(04755, mode(setuid) & 07777, "bit put back from the journal");
        assertEquals(H, uid(setuid));
        assertFalse(Files.exists(journal));
    }

    @Test
    void aJournalWrittenJustBeforeTheManagerDiedChangesNothingWhenTheChownNeverHappened() throws Exception {
        Path plain = file("plain", 0, 0, 0755);
        new PrivilegeJournal(journal).record(plain, H, H, 0100000 | 04755, FakeDockerLayer.NET_RAW);
        new TreeOwnershipShift(up.inverse(), journal).apply(tree);
        assertEquals(0755, mode(plain) & 07777, "the journal applies only once the owner is the one it names");
        assertTrue(ExtendedAttributes.get(plain, FileCapabilities.XATTR).isEmpty());
        assertFalse(Files.exists(journal));
    }

    @Test
    void aFilesystemMountedInsideIsNotEntered() throws Exception {
        Path mnt = Files.createDirectory(tree.resolve("mnt"));
        MountApi.mount("tmpfs", mnt.toString(), "tmpfs", 0, "mode=755");
        Path inner = Files.writeString(mnt.resolve("f"), "x");
        Path outer = file("g", 0, 0, 0644);
        new TreeOwnershipShift(up, journal).apply(tree);
        assertEquals(H, uid(outer));
        assertEquals(0, uid(inner));
        assertEquals(0, uid(mnt));
    }

    @Test
    void aRangeThatOverlapsTheContainerIdsIsRefused() {
        ContainerMapping low = new ContainerMapping(new IdRange(1000, 65536), new IdRange(1000, 65536));
        OverlayRootfsException e = assertThrows(OverlayRootfsException.class, () -> IdShift.toHost(low));
        assertTrue(e.getMessage().contains("overlaps") && e.getMessage().contains("65536"), e.getMessage());
    }
}
