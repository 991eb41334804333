package io.sysbox.setup.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The identity of a namespace: the device and inode of its nsfs file. Two paths name the same
 * namespace exactly when these are equal. stat() is used rather than readlink() because the spec
 * may name a namespace by a bind-mounted nsfs file (e.g. /run/netns/cni-…, as CNI and containerd
 * do), which is not a symlink; for /proc/PID/ns/KIND links stat follows the magic link and gives the
 * inode that readlink shows as "net:[INODE]".
 */
public record NamespaceId(long device, long inode) {

    /** @throws IOException when the path does not exist or cannot be examined (the message says which) */
    public static NamespaceId of(Path path) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(path, "unix:dev,ino");
        return new NamespaceId(((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue());
    }
}
