package io.sysbox.install.toml;

import java.io.IOException;

/** A runtime's config cannot be edited safely; the message names the file, the place and what to do. */
public final class InvalidConfigException extends IOException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
