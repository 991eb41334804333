package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.DeviceNodes;
import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.Ownership;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Image content for special-dir tests: every kind of file a copy must reproduce. */
final class ImageFixtures {
    static final int S_IFIFO = 0010000, S_IFCHR = 0020000;
    /** cap_net_raw, effective: what `setcap cap_net_raw+ep` writes from the host. */
    static final byte[] CAP_NET_RAW_V2 = capabilityV2(1 << 13);

    private ImageFixtures() {}

    /** A rootfs whose image has an inner Docker cache with every kind of file a copy must keep. */
    static Path withPreloadedDocker(Path rootfs) throws IOException {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Path docker = Files.createDirectories(rootfs.resolve("var/lib/docker"));
        Files.setAttribute(docker, "unix:mode", 0710);
        Files.writeString(docker.resolve("root-file"), "root");
        Path userFile = Files.writeString(docker.resolve("user-file"), "user");
        owned(userFile, 1000, 1000);
        Files.setAttribute(userFile, "unix:mode", 0640);
        Files.createDirectory(docker.resolve("bin"));
        Path su = Files.writeString(docker.resolve("bin/su"), "#!/bin/sh\n");
        Files.setAttribute(su, "unix:mode", 04755);
        Path ping = Files.writeString(docker.resolve("bin/ping"), "ping");
        ExtendedAttributes.set(ping, "security.capability", CAP_NET_RAW_V2);
        Files.createSymbolicLink(docker.resolve("link"), Path.of("/etc/passwd"));
        Files.createDirectory(docker.resolve("layer"));
        Path a = Files.writeString(docker.resolve("layer/a"), "shared");
        Files.createLink(docker.resolve("layer/b"), a);
        DeviceNodes.mknod(docker.resolve("pipe"), S_IFIFO | 0644, 0);
        Path diff = Files.createDirectories(docker.resolve("overlay2/l1/diff"));
        DeviceNodes.mknod(diff.resolve("deleted"), S_IFCHR, 0);
        Path opaque = Files.createDirectory(diff.resolve("opaque"));
        ExtendedAttributes.set(opaque, "trusted.overlay.opaque", "y".getBytes());
        return rootfs;
    }

    static void owned(Path path, long uid, long gid) throws IOException {
        Ownership.lchown(path.toString(), (int) uid, (int) gid);
    }

    static byte[] capabilityV2(int permitted) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x0200_0001).putInt(permitted).putInt(0).putInt(0).putInt(0).array();
    }

}
