package io.sysbox.fs;

/** A command line sysbox-fs does not understand (exit status 2). */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
