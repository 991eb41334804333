package io.sysbox.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/** The runnable layout `./mvnw package` leaves at dist/: the binaries under test. */
public record Dist(Path root) {
    public static final String PROPERTY = "sysbox.dist";

    /**
     * The dist/ named by -Dsysbox.dist (failsafe sets it to the reactor's dist/), checked to hold
     * both binaries so a missing build fails with a hint instead of a confusing exec error.
     */
    public static Dist fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set: run the suites through"
                    + " `./mvnw verify` (failsafe sets it to <repo>/dist) or pass -D" + PROPERTY + "=/path/to/dist");
        }
        Dist dist = new Dist(Path.of(value).toAbsolutePath().normalize());
        dist.requireBuilt();
        return dist;
    }

    public Path sysboxRunc() {
        return root.resolve("bin/sysbox-runc");
    }

    public Path sysboxMgr() {
        return root.resolve("bin/sysbox-mgr");
    }

    public Path sysboxFs() {
        return root.resolve("bin/sysbox-fs");
    }

    public Path sysboxCri() {
        return root.resolve("bin/sysbox-cri");
    }

    /** The hooks.d file of the OCI hooks mode, as Podman and CRI-O read it. */
    public Path ociHooksFile() {
        return root.resolve("share/containers/oci/hooks.d/sysbox.json");
    }

    public Path sysboxInstall() {
        return root.resolve("bin/sysbox-install");
    }

    public void requireBuilt() {
        for (Path binary : new Path[] {sysboxRunc(), sysboxMgr()}) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing or not executable: build dist/ first with"
                        + " `JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -B package -DskipTests`");
            }
        }
    }
}
