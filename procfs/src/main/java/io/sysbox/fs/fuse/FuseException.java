package io.sysbox.fs.fuse;

/**
 * A file system operation that fails with an errno, which becomes the reply's error. Thrown on
 * ordinary paths (a lookup of a missing name), so it carries no stack trace.
 */
public final class FuseException extends Exception {
    private final int errno;

    public FuseException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
