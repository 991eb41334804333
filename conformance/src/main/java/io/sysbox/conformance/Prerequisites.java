package io.sysbox.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/** Host tools the suites run for real; a missing one fails loudly, naming the package to install. */
public final class Prerequisites {
    public static final Path BUSYBOX = Path.of("/usr/bin/busybox");
    public static final Path RUNC = Path.of("/usr/sbin/runc");
    public static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private Prerequisites() {}

    public static void requireExecutable(Path tool, String debianPackage) {
        if (!Files.isExecutable(tool)) {
            throw new IllegalStateException(tool + " is missing: install it with `apt-get install -y "
                    + debianPackage + "`");
        }
    }

    /** Everything the issue-2 suites and the start-up benchmark need besides dist/. */
    public static void requireAll() {
        requireExecutable(BUSYBOX, "busybox-static");
        requireExecutable(RUNC, "runc");
        requireExecutable(SETPRIV, "util-linux");
    }
}
