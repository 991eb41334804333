package io.sysbox.runc.container;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The installation's helpers the setup puts into specs: libexec/ beside the lib/ that holds this
 * class's jar (dist/ of a build, PREFIX/lib/sysbox of an install); the manager, which runs the
 * setup, loads the runtime's jar from that same lib/.
 */
final class Libexec {
    private Libexec() {}

    /** The executable helper NAME; {@code neededFor} says in the error what it is for. */
    static Path find(String name, String neededFor) throws IOException {
        Path jar;
        try {
            jar = Path.of(Libexec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where sysbox-runc is installed, to find its " + name + ": " + e, e);
        }
        Path helper = jar.resolveSibling("../libexec/" + name).normalize();
        if (!Files.isExecutable(helper)) {
            throw new IOException(name + " is missing at " + helper + " (needed " + neededFor + ";"
                    + " the installation beside " + jar + " is incomplete: build with ./mvnw package, or reinstall"
                    + " with deploy/host/install.sh)");
        }
        return helper;
    }
}
