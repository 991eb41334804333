package io.sysbox.mgr.specialdirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** lstat(2) of one file: what a copy must reproduce. Names are never looked up (no passwd reads). */
record FileStat(int mode, long uid, long gid, long size, long dev, long ino, long rdev, int nlink,
                FileTime mtime, FileTime atime) {
    static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;
    private static final String ATTRIBUTES = "unix:mode,uid,gid,size,dev,ino,rdev,nlink,lastModifiedTime,lastAccessTime";

    /** An inode: what hard links share. */
    record Inode(long dev, long ino) {}

    static FileStat of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return new FileStat((Integer) a.get("mode"),
                Integer.toUnsignedLong((Integer) a.get("uid")), Integer.toUnsignedLong((Integer) a.get("gid")),
                (Long) a.get("size"), (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("rdev"),
                (Integer) a.get("nlink"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("lastAccessTime"));
    }

    /** null when nothing is there. */
    static FileStat ifExists(Path path) throws IOException {
        try {
            return of(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    int type() {
        return mode & S_IFMT;
    }

    /** Permission bits with setuid, setgid and sticky. */
    int permissions() {
        return mode & 07777;
    }

    boolean isDirectory() {
        return type() == S_IFDIR;
    }

    boolean isRegular() {
        return type() == S_IFREG;
    }

    boolean isSymlink() {
        return type() == S_IFLNK;
    }

    Inode inode() {
        return new Inode(dev, ino);
    }
}
