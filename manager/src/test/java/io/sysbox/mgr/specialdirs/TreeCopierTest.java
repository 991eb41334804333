package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TreeCopierTest {
    private static final long H = 200_000, G = 300_000;
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(H, 65536), new IdRange(G, 65536));
    private static final IdTranslation INTO = IdTranslation.intoContainer(MAPPING);

    private Path base;

    @BeforeEach
    void setUp() throws IOException {
        base = HostFixtures.tempDir("treecopier-");
    }

    @AfterEach
    void tearDown() throws IOException {
        HostFixtures.cleanUp(base);
    }

    @Test
    void aSecondSyncWritesOnlyWhatChanged() throws Exception {
        Path source = Files.createDirectories(base.resolve("source"));
        for (int i = 0; i < 5; i++) Files.writeString(source.resolve("f" + i), "content " + i);
        Path target = base.resolve("target");

        CopyReport first = TreeCopier.sync(source, target, INTO);
        assertEquals(5, first.filesCopied());

        CopyReport second = TreeCopier.sync(source, target, INTO);
        assertEquals(0, second.filesCopied(), second.toString());
        assertEquals(5, second.unchanged());

        Files.writeString(source.resolve("f1"), "changed, longer");
        Files.delete(source.resolve("f2"));
        CopyReport third = TreeCopier.sync(source, target, INTO);
        assertEquals(1, third.filesCopied(), third.toString());
        assertEquals(1, third.removed());
        assertEquals("changed, longer", Files.readString(target.resolve("f1")));
        assertFalse(Files.exists(target.resolve("f2")));
        assertEquals(0, third.problemCount(), third.problems().toString());
    }

    @Test
    void everyKindOfFileMakesTheRoundTripWithoutLoss() throws Exception {
        Path image = ImageFixtures.withPreloadedDocker(base.resolve("rootfs")).resolve("var/lib/docker");
        Path host = base.resolve("host");
        Path back = base.resolve("back");

        CopyReport in = TreeCopier.sync(image, host, INTO);
        CopyReport out = TreeCopier.sync(host, back, IdTranslation.outOfContainer(MAPPING));

        assertEquals(0, in.problemCount(), in.problems().toString());
        assertEquals(0, out.problemCount(), out.problems().toString());
        assertEquals(listing(image), listing(back), "owners, modes, types, devices, links, xattrs and times");
    }

    /** Per entry: type and mode, owners, size, rdev, mtime, link target, xattrs. */
    private static java.util.SortedMap<String, String> listing(Path root) throws IOException {
        java.util.SortedMap<String, String> entries = new java.util.TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                FileStat s = FileStat.of(p);
                StringBuilder line = new StringBuilder(Integer.toOctalString(s.mode()) + " " + s.uid() + ":" + s.gid()
                        + " nlink " + s.nlink() + " rdev " + s.rdev() + " mtime " + s.mtime());
                if (s.isRegular()) line.append(" size ").append(s.size());
                if (s.isSymlink()) line.append(" -> ").append(Files.readSymbolicLink(p));
                for (String name : new java.util.TreeSet<>(ExtendedAttributes.names(p))) {
                    line.append(" ").append(name).append("=")
                            .append(java.util.HexFormat.of().formatHex(ExtendedAttributes.get(p, name).orElseThrow()));
                }
                entries.put(root.relativize(p).toString(), line.toString());
            }
        }
        return entries;
    }

    @Test
    void aTargetSymlinkWhereTheSourceHasADirectoryIsReplacedNotFollowed() throws Exception {
        Path outside = Files.createDirectory(base.resolve("outside"));
        Path source = Files.createDirectories(base.resolve("source/d"));
        Files.writeString(source.resolve("file"), "x");
        Path target = Files.createDirectory(base.resolve("target"));
        Files.createSymbolicLink(target.resolve("d"), outside);
        Files.writeString(target.resolve("stale"), "old");

        TreeCopier.sync(source.getParent(), target, INTO);

        assertFalse(Files.isSymbolicLink(target.resolve("d")));
        assertTrue(Files.isRegularFile(target.resolve("d/file")));
        try (var entries = Files.list(outside)) {
            assertEquals(0, entries.count(), "nothing written through the link");
        }
        assertFalse(Files.exists(target.resolve("stale")));
        assertEquals(H, uid(target.resolve("d/file")));
    }

    @Test
    void namedUsersAndGroupsOfAclsMoveWithTheOwners() throws Exception {
        Path source = Files.createDirectory(base.resolve("source"));
        Path file = Files.writeString(source.resolve("f"), "x");
        Files.setAttribute(file, "unix:mode", 0640);
        ExtendedAttributes.set(file, "system.posix_acl_access", acl(1000, 2000));
        Path target = base.resolve("target");

        CopyReport report = TreeCopier.sync(source, target, INTO);

        assertEquals(0, report.problemCount(), report.problems().toString());
        byte[] copiedAcl = ExtendedAttributes.get(target.resolve("f"), "system.posix_acl_access").orElseThrow();
        ByteBuffer copied = ByteBuffer.wrap(copiedAcl).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(H + 1000, Integer.toUnsignedLong(copied.getInt(4 + 8 + 4)), "ACL_USER entry");
        assertEquals(G + 2000, Integer.toUnsignedLong(copied.getInt(4 + 3 * 8 + 4)), "ACL_GROUP entry");
    }

    @Test
    void reownMovesEveryOwnerOnceEvenThroughHardLinks() throws Exception {
        Path dir = Files.createDirectory(base.resolve("dir"));
        Path a = Files.writeString(dir.resolve("a"), "x");
        Files.createLink(dir.resolve("b"), a);
        Files.setAttribute(a, "unix:uid", (int) H + 5);
        Files.setAttribute(a, "unix:mode", 04711);
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_000_000));
        long h2 = 700_000;
        ContainerMapping other = new ContainerMapping(new IdRange(h2, 65536), new IdRange(G, 65536));

        TreeCopier.reown(dir, IdTranslation.between(MAPPING, other));

        assertEquals(h2 + 5, uid(dir.resolve("b")));
        assertEquals(04711, HostFixtures.mode(a) & 07777);
        assertEquals(FileTime.fromMillis(1_000_000), Files.getLastModifiedTime(a));
    }

    @Test
    void idsWithoutAPlaceInTheContainerBecomeNobody() {
        assertEquals(H + 7, INTO.uid(7));
        assertEquals(H + 7, INTO.uid(H + 7), "already a host id");
        assertEquals(H + 65534, INTO.uid(70_000));
        IdTranslation out = IdTranslation.outOfContainer(MAPPING);
        assertEquals(7, out.uid(H + 7));
        assertEquals(1000, out.gid(G + 1000));
        assertEquals(65534, out.uid(900_000));
    }

    /** user::rw- user:U:r-- group::r-- group:G:r-- mask::r-- other::---, as the kernel stores it. */
    private static byte[] acl(int user, int group) {
        ByteBuffer b = ByteBuffer.allocate(4 + 6 * 8).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
        entry(b, 0x01, 6, -1);
        entry(b, 0x02, 4, user);
        entry(b, 0x04, 4, -1);
        entry(b, 0x08, 4, group);
        entry(b, 0x10, 4, -1);
        entry(b, 0x20, 0, -1);
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int perm, int id) {
        b.putShort((short) tag).putShort((short) perm).putInt(id);
    }
}
