package io.sysbox.fs;

/** sysbox-fs cannot start; the message says why and what to do (exit status 1). */
public final class StartupException extends Exception {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
