package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The root filesystem tarballs of the test images (dockerfiles/), built and cached by
 * conformance/images/build-images.sh of the clone whose dist/ is under test.
 */
public final class TestImages {
    /** Image builds run debootstrap and apt-get when their cache is cold: minutes, not seconds. */
    public static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    private final SuiteEnvironment suite;

    public TestImages(SuiteEnvironment suite) {
        this.suite = suite;
    }

    /** A script of conformance/images/ (build-images.sh, import-images.sh). */
    public Path script(String name) {
        return suite.dist().root().getParent().resolve("conformance/images").resolve(name);
    }

    /** A runner whose timeout allows a cold build. */
    public CommandRunner runner() throws IOException {
        return new CommandRunner(suite.directory("image-scratch"), BUILD_TIMEOUT);
    }

    /** The rootfs tarball of image NAME (busybox, debian, debian-systemd, ...). */
    public Path tarball(String name) throws IOException {
        CommandResult result = runner().run(List.of(script("build-images.sh").toString(), name));
        if (!result.succeeded()) throw new IllegalStateException("building test image " + name + " failed:\n" + result.describe());
        for (String line : result.stdout().split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals(name)) return Path.of(f[1]);
        }
        throw new IllegalStateException("build-images.sh named no tarball for " + name + ":\n" + result.describe());
    }
}
