package io.sysbox.mgr.specialdirs;

import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RootfsPathTest {
    @Test
    void symlinksResolveWithTheRootfsAsTheirRoot() throws Exception {
        Path rootfs = HostFixtures.tempDir("rootfspath-");
        try {
            Files.createDirectories(rootfs.resolve("opt/lib"));
            Files.createDirectories(rootfs.resolve("var"));
            Files.createSymbolicLink(rootfs.resolve("var/lib"), Path.of("../opt/lib"));
            Files.createSymbolicLink(rootfs.resolve("opt/lib/docker"), Path.of("/../../../srv/docker"));
            Files.createSymbolicLink(rootfs.resolve("loop1"), Path.of("loop2"));
            Files.createSymbolicLink(rootfs.resolve("loop2"), Path.of("/loop1"));

            assertEquals(rootfs.resolve("opt/lib/kubelet"), RootfsPath.resolve(rootfs, "/var/lib/kubelet"));
            assertEquals(rootfs.resolve("srv/docker"), RootfsPath.resolve(rootfs, "/var/lib/docker"),
                    "an absolute link, with .. above /, stays inside");
            assertEquals(rootfs.resolve("etc"), RootfsPath.resolve(rootfs, "/../../etc/."));
            IOException loop = assertThrows(IOException.class, () -> RootfsPath.resolve(rootfs, "/loop1/x"));
            assertTrue(loop.getMessage().contains("symlinks"), loop.getMessage());
        } finally {
            HostFixtures.cleanUp(rootfs);
        }
    }
}
