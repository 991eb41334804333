package io.sysbox.install.containerd;

import java.nio.file.Path;

/**
 * What writing a runtime handler came to.
 *
 * @param file    the host path that holds the handler now
 * @param placed  how: a drop-in of the installer's own, or a section appended to the main config
 * @param changed false when the file already said it (nothing written, nothing to restart)
 */
public record HandlerChange(Path file, Placement placed, boolean changed) {
    public enum Placement { DROP_IN, MAIN_FILE }

    public String describe() {
        if (!changed) return file + ": unchanged (the sysbox-runc handler is there)";
        return file + ": " + (placed == Placement.DROP_IN ? "wrote the sysbox-runc handler (drop-in)"
                : "appended the sysbox-runc handler (the rest of the file unchanged)");
    }
}
