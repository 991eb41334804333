package io.sysbox.setup;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The compiled helpers of this installation: libexec/ beside the lib/ that holds the runtime's
 * jar (dist/ of a build, PREFIX/lib/sysbox of an install); the manager, which runs the setup,
 * loads the runtime's jar from that same lib/.
 */
public final class Libexec {
    private Libexec() {}

    /** The helper NAME; PURPOSE says what it is needed for, in the error when it is missing. */
    public static Path find(String name, String purpose) throws IOException {
        Path jar;
        try {
            jar = Path.of(Libexec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where sysbox-runc is installed, to find its " + name + ": " + e, e);
        }
        Path helper = jar.resolveSibling("../libexec/" + name).normalize();
        if (!Files.isExecutable(helper)) {
            throw new IOException(name + " is missing at " + helper + " (needed " + purpose + "; the installation"
                    + " beside " + jar + " is incomplete: build with ./mvnw package, or reinstall with"
                    + " deploy/host/install.sh)");
        }
        return helper;
    }
}
