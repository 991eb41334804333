package io.sysbox.mgr;

/** A command line sysbox-mgr does not understand (exit status 2). */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
