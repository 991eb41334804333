package io.sysbox.install.docker;

import java.io.IOException;

/**
 * daemon.json cannot be edited safely (malformed JSON, a key of the wrong type); the message names
 * the file and the place, and says the file was left as it was.
 */
public final class InvalidDaemonConfigException extends IOException {
    public InvalidDaemonConfigException(String message) {
        super(message);
    }
}
