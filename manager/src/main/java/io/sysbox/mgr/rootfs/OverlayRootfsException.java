package io.sysbox.mgr.rootfs;

import java.io.IOException;

/** An overlay rootfs the manager cannot ID-shift as it is; the message says what and how to fix it. */
public final class OverlayRootfsException extends IOException {
    public OverlayRootfsException(String message) {
        super(message);
    }

    public OverlayRootfsException(String message, Throwable cause) {
        super(message, cause);
    }
}
