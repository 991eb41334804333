package io.sysbox.mgr.idmap;

import java.io.IOException;

/** The source's filesystem (or one of its submounts) cannot carry an idmapped mount. */
public final class IdmapUnsupportedException extends IOException {
    private final String fsType;

    public IdmapUnsupportedException(String message, String fsType, Throwable cause) {
        super(message, cause);
        this.fsType = fsType;
    }

    /** The filesystem type of the source, for messages. */
    public String fsType() {
        return fsType;
    }
}
