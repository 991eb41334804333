package io.sysbox.fs.fuse;

/** Who made a request, as the kernel reports it in the request header (host ids). */
public record Caller(int uid, int gid, int pid) {}
