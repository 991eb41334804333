package io.sysbox.setup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The compiled helpers of this installation (dist/libexec of a build, PREFIX/lib/sysbox/libexec of
 * an install): the hooks the setup puts in specs, sysbox-netns-exec. Where they are is
 * configuration, not something guessed from where a jar was loaded: the library's jar may sit
 * anywhere on a class path (a test's, a benchmark's), while the helpers' paths end up in specs
 * the engine runs. The JVM launchers say it ({@link #PROPERTY}, set by dist/lib/launcher.sh to
 * the libexec/ beside their lib/); sysbox-mgr also takes --libexec-dir.
 *
 * @param dir absolute; empty when nobody configured it, so every helper lookup fails naming the setting
 */
public record Libexec(Optional<Path> dir) {
    /** The system property dist/lib/launcher.sh passes every JVM. */
    public static final String PROPERTY = "sysbox.libexec";

    public Libexec {
        if (dir.isPresent() && !dir.get().isAbsolute()) {
            throw new IllegalArgumentException("the libexec directory must be absolute: " + dir.get());
        }
    }

    public static Libexec at(Path dir) {
        return new Libexec(Optional.of(dir.toAbsolutePath().normalize()));
    }

    /** What the JVM was started with; a relative path is the start-up directory's, as the launcher script meant it. */
    public static Libexec fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "");
        return value.isEmpty() ? new Libexec(Optional.empty()) : at(Path.of(value));
    }

    /** The helper NAME; PURPOSE says what it is needed for, in the error when it is missing. */
    public Path find(String name, String purpose) throws IOException {
        if (dir.isEmpty()) {
            throw new IOException(name + " cannot be found (needed " + purpose + "): no libexec directory is"
                    + " configured (-D" + PROPERTY + "=DIR, which dist/lib/launcher.sh passes the JVM)");
        }
        Path helper = dir.get().resolve(name);
        if (!Files.isExecutable(helper)) {
            throw new IOException(name + " is missing at " + helper + " (needed " + purpose + "; the installation"
                    + " is incomplete: build with ./mvnw package, or reinstall with deploy/host/install.sh)");
        }
        return helper;
    }
}
