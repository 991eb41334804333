package io.sysbox.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 2, acceptance 2: the idmapped rootfs and bind mounts show host ownership, without leaking shifts. */
class RootfsOwnershipIT extends SuiteLifecycle {
    private static final int HOST_FILE_UID = 1000;

    @Test
    void rootfsIsRootOwnedAndWritableSetuidSurvivesAndBindMountsKeepHostOwnership() throws IOException {
        Path hostDir = env.rootOnlyDirectory("bind-source");  // root:root, reachable only by root
        Files.setAttribute(hostDir, "unix:mode", 0755);
        Path hostFile = Files.writeString(hostDir.resolve("owned-by-1000"), "x");
        Files.setAttribute(hostFile, "unix:uid", HOST_FILE_UID);
        Files.setAttribute(hostFile, "unix:gid", HOST_FILE_UID);

        String id = env.newContainerId("rootfs");
        BusyboxBundle bundle = env.bundle(id).bindMount(hostDir, "/mnt/host").write();
        containers.runDetached(bundle, id);

        assertEquals("0:0", containers.exec(id, "stat", "-c", "%u:%g", "/").strip(), "owner of / inside");
        assertEquals("0:0", containers.exec(id, "stat", "-c", "%u:%g", "/bin/busybox").strip(), "owner of /bin/busybox inside");
        assertEquals("written", containers.exec(id, "sh", "-c",
                "echo written > /written-inside && cat /written-inside").strip(), "writing to the rootfs inside");
        assertEquals("0:0", containers.exec(id, "stat", "-c", "%u:%g", "/written-inside").strip(),
                "owner of a file root created inside");
        assertEquals(0, hostUid(bundle.rootfs().resolve("written-inside")),
                "a file root created in the rootfs must be owned by host uid 0 on disk (idmapped), not by the shifted uid");
        assertEquals("4755", containers.exec(id, "stat", "-c", "%a", "/" + BusyboxRootfs.SETUID_FILE).strip(),
                "mode of the setuid file inside");

        assertEquals("0:0", containers.exec(id, "stat", "-c", "%u:%g", "/mnt/host").strip(),
                "owner of a root-owned host directory bind-mounted inside");
        assertEquals(HOST_FILE_UID + ":" + HOST_FILE_UID,
                containers.exec(id, "stat", "-c", "%u:%g", "/mnt/host/owned-by-1000").strip(),
                "a host file owned by uid 1000 must show as 1000 inside");
        containers.exec(id, "sh", "-c", "echo from-inside > /mnt/host/written-inside");
        Path written = hostDir.resolve("written-inside");
        assertEquals("from-inside\n", Files.readString(written), "content of the file written inside the bind mount");
        assertEquals(0, hostUid(written), "owner on the host of a file root wrote inside the bind mount");
        assertEquals(0, (int) Files.getAttribute(written, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                "group on the host of a file root wrote inside the bind mount");

        // The disk is never chowned or chmodded: ownership and the setuid bit are as the bundle made them.
        Path setuid = bundle.rootfs().resolve(BusyboxRootfs.SETUID_FILE);
        assertEquals(0, hostUid(setuid), "owner of the setuid file on disk");
        assertEquals(BusyboxRootfs.SETUID_MODE, (int) Files.getAttribute(setuid, "unix:mode") & 07777,
                "mode of the setuid file on disk");
        assertEquals(0, hostUid(bundle.rootfs()), "owner of the rootfs directory on disk");
    }

    private static int hostUid(Path path) throws IOException {
        return (int) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }
}
