package io.sysbox.setup.state;

import java.nio.file.Path;

/**
 * sysbox-runc's {@code --root}: the low-level runtime's state below {@code runc/} (so the engine
 * lists only containers) and sysbox-runc's private per-container directories below
 * {@code sysbox/}. The one place that layout is decided; the compiled launcher (sysbox-runc.c)
 * passes the engine the same {@code runc/} child, which LauncherTest holds in step.
 */
public record RuntimeRoot(Path path) {
    public static final Path DEFAULT = Path.of("/run/sysbox-runc");

    public Path engineRoot() {
        return path.resolve("runc");
    }

    public Path privateDir(String id) {
        return path.resolve("sysbox").resolve(id);
    }
}
