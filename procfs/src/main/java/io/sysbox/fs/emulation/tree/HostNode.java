package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.fuse.Attributes;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * A node of the host's /sys passed through to one container (sys/kernel/..., sys/devices/virtual/...):
 * its type, mode, size and times are the host node's, read afresh on every request, so the
 * container sees the host's values as they change; its owner is the container's root, as for
 * every emulated node. It is read-only for the container (see EmulationFileSystem.open).
 *
 * @param children the names under it, when it is a directory
 */
public record HostNode(long id, long parentId, String name, Path host, int uid, int gid, HostChildren children)
        implements Node {
    private static final int S_IFMT = 0170000;

    /** The host node's attributes now; ENOENT when the host no longer has it. */
    @Override
    public Attributes attributes() throws FuseException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(host, "unix:mode,nlink,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new FuseException(Errno.ENOENT, "the host has no " + host + " any more");
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "cannot stat " + host + ": " + e.getMessage());
        }
        int mode = (Integer) a.get("mode");
        return new Attributes(id, (Long) a.get("size"), mode, (Integer) a.get("nlink"), uid, gid,
                ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
    }

    /** The file type bits (S_IFDIR, S_IFREG, S_IFLNK) of a host mode. */
    static int typeOf(int mode) {
        return mode & S_IFMT;
    }
}
