package io.sysbox.setup.spec;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** Spec trees for the tests, built from JSON text. */
final class TestSpecs {

    static final IdMapping UIDS = new IdMapping(0, 165536, 65536);
    static final IdMapping GIDS = new IdMapping(0, 165536, 65536);

    private TestSpecs() {
    }

    /** A config.json as dockerd 28 writes it for `docker run -it debian sh` on a cgroup v1 host. */
    static Spec docker() {
        try (InputStream in = TestSpecs.class.getResourceAsStream("docker-config.json")) {
            return Spec.parse(in.readAllBytes(), "docker-config.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidSpecException e) {
            throw new AssertionError(e);
        }
    }

    static Spec parse(String json) {
        try {
            return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test");
        } catch (InvalidSpecException e) {
            throw new AssertionError(e);
        }
    }

    /** Inputs as the CLI builds them for a fresh container in system-container mode. */
    static ConversionInputs inputs(RuntimeCapabilities caps) {
        return new ConversionInputs(UIDS, GIDS, "/var/lib/sysbox/shifted/c1/rootfs", Map.of(), caps,
                false, true, "/sysbox-test/c1", Optional.empty(), Optional.empty());
    }

    static ConversionInputs withSyscontMode(ConversionInputs in, boolean syscontMode) {
        return new ConversionInputs(in.uidMapping(), in.gidMapping(), in.rootfs(), in.mountSources(),
                in.capabilities(), in.honorCaps(), syscontMode, in.cgroupsPath(), in.userNamespacePath(),
                in.libModulesDir());
    }

    static ConversionInputs withHonorCaps(ConversionInputs in, boolean honorCaps) {
        return new ConversionInputs(in.uidMapping(), in.gidMapping(), in.rootfs(), in.mountSources(),
                in.capabilities(), honorCaps, in.syscontMode(), in.cgroupsPath(), in.userNamespacePath(),
                in.libModulesDir());
    }

    static ConversionInputs withNetworkSysfs(ConversionInputs in, String source) {
        return new ConversionInputs(in.uidMapping(), in.gidMapping(), in.rootfs(), in.mountSources(),
                in.capabilities(), in.honorCaps(), in.syscontMode(), in.cgroupsPath(), in.userNamespacePath(),
                in.libModulesDir(), in.specialMounts(), Optional.of(source));
    }
}
