package io.sysbox.fs.fuse;

/** One name in a directory listing; {@code mode} carries the type bits readdir reports (d_type). */
public record DirectoryEntry(String name, long ino, int mode) {}
