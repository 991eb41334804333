package io.sysbox.fs.fuse;

/**
 * What stat(2) shows of a node. {@code mode} includes the file type bits (S_IFDIR, S_IFREG, S_IFLNK);
 * times are seconds since the epoch.
 */
public record Attributes(long ino, long size, int mode, int nlink, int uid, int gid, long timeSeconds) {
    public static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

    public boolean isDirectory() {
        return (mode & 0170000) == S_IFDIR;
    }
}
