package io.sysbox.fs.fuse;

/** The answer to an open: the handle later requests carry, and FOPEN_* flags for the kernel. */
public record Opened(long handle, int flags) {
    /** Every read and write reaches the server: no page cache, so sizes may be 0 as in /proc. */
    public static final int DIRECT_IO = 1;
    /** No FLUSH request on close: nothing is buffered on the server's side. */
    public static final int NO_FLUSH = 1 << 5;
}
