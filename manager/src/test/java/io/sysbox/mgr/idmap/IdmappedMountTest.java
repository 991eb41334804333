package io.sysbox.mgr.idmap;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.testing.HostFixtures;
import io.sysbox.common.sys.Ownership;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static io.sysbox.mgr.testing.HostFixtures.mountsUnder;
import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdmappedMountTest {
    private static final long H = 3_000_000_000L;
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(H, 65536), new IdRange(H, 65536));

    @Test
    void aRootOwnedTreeShowsAsTheContainersRootOnTheHostAndKeepsSetuidBits() throws Exception {
        Path dir = HostFixtures.tempDir("idmap-");
        try {
            Path source = Files.createDirectory(dir.resolve("source"));
            Path setuid = Files.writeString(source.resolve("su"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(setuid, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(setuid, "unix:mode", 04755);
            Path userFile = Files.writeString(source.resolve("user-1000"), "x");
            Ownership.lchown(userFile.toString(), 1000, 1000);
            Path target = dir.resolve("target");

            try (UserNamespaceFile userns = UserNamespaceFile.create(MAPPING)) {
                IdmappedMount.attach(source, target, userns, false);
            }
            List<MountInfo> mounts = mountsUnder(target);
            assertEquals(1, mounts.size(), mounts.toString());
            assertTrue(mounts.getFirst().idmapped(), mounts.getFirst().mountOptions().toString());
            assertEquals(0, uid(source.resolve("su")));
            assertEquals(H, uid(target), "the root-owned directory seen through the mount");
            assertEquals(H, uid(target.resolve("su")));
            assertEquals(H + 1000, uid(target.resolve("user-1000")));
            assertEquals(04000, HostFixtures.mode(target.resolve("su")) & 04000, "setuid survives");

            IdmappedMount.detach(target);
            assertTrue(mountsUnder(dir).isEmpty());
            assertFalse(Files.exists(target));
            assertTrue(Files.exists(source.resolve("su")), "the source is untouched");
        } finally {
            HostFixtures.cleanUp(dir);
        }
    }

    @Test
    void aFileCanBeIdmappedOntoAFileTarget() throws Exception {
        Path dir = HostFixtures.tempDir("idmap-");
        try {
            Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
            Path target = dir.resolve("hosts-shifted");
            try (UserNamespaceFile userns = UserNamespaceFile.create(MAPPING)) {
                IdmappedMount.attach(hosts, target, userns, false);
            }
            assertTrue(Files.isRegularFile(target));
            assertEquals(H, uid(target));
            assertEquals("127.0.0.1 localhost\n", Files.readString(target));
            IdmappedMount.detach(target);
            assertTrue(mountsUnder(dir).isEmpty());
            assertFalse(Files.exists(target));
        } finally {
            HostFixtures.cleanUp(dir);
        }
    }

    @Test
    void aFilesystemWithoutIdmapSupportIsReportedAndLeavesNothingBehind() throws Exception {
        Path dir = HostFixtures.tempDir("idmap-");
        try {
            Path target = dir.resolve("target");
            try (UserNamespaceFile userns = UserNamespaceFile.create(MAPPING)) {
                IdmapUnsupportedException e = assertThrows(IdmapUnsupportedException.class,
                        () -> IdmappedMount.attach(Path.of("/proc/sys/kernel"), target, userns, false));
                assertEquals("proc", e.fsType());
                assertTrue(e.getMessage().contains("/proc/sys/kernel"), e.getMessage());
            }
            assertTrue(mountsUnder(dir).isEmpty());
            assertFalse(Files.exists(target), "the target it created is removed again");
        } finally {
            HostFixtures.cleanUp(dir);
        }
    }

    /** The engine's remount of a bind with an atime option succeeds in a user namespace only if the clone has it. */
    @Test
    void theClonesTopMountGetsTheAtimeModeAsked() throws Exception {
        Path dir = HostFixtures.tempDir("idmap-");
        try {
            Path source = Files.createDirectory(dir.resolve("source"));
            Files.createDirectory(source.resolve("sub"));
            Path strict = dir.resolve("strict");
            Path noatime = dir.resolve("noatime");
            try (UserNamespaceFile userns = UserNamespaceFile.create(MAPPING)) {
                IdmappedMount.attach(source, strict, userns, false, AtimeAttributes.of(List.of("nosuid", "strictatime")));
                IdmappedMount.attach(source, noatime, userns, false, AtimeAttributes.of(List.of("noatime")));
            }
            List<String> strictOptions = mountsUnder(strict).getFirst().mountOptions();
            assertFalse(strictOptions.contains("relatime") || strictOptions.contains("noatime"), strictOptions.toString());
            assertTrue(mountsUnder(strict).getFirst().idmapped(), strictOptions.toString());
            assertTrue(mountsUnder(noatime).getFirst().mountOptions().contains("noatime"),
                    mountsUnder(noatime).toString());
            IdmappedMount.detach(strict);
            IdmappedMount.detach(noatime);
            assertTrue(mountsUnder(dir).isEmpty());
        } finally {
            HostFixtures.cleanUp(dir);
        }
    }

    @Test
    void detachOfAMissingTargetDoesNothing() throws Exception {
        IdmappedMount.detach(Path.of("/tmp/does-not-exist-" + ProcessHandle.current().pid()));
    }

    @Test
    void mountinfoPathsAreUnescaped() {
        MountInfo m = MountInfo.parse("99 27 0:50 / /tmp/a\\040b rw,relatime,idmapped shared:1 - ext4 /dev/vda rw");
        assertEquals(Path.of("/tmp/a b"), m.mountPoint());
        assertEquals("ext4", m.fsType());
        assertTrue(m.idmapped());
    }
}
