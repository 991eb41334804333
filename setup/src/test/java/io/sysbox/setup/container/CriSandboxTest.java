package io.sysbox.setup.container;

import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The annotations as containerd 1.6 and CRI-O 1.32 write them (CRI-O's copied from a dumped infra container's config.json). */
class CriSandboxTest {
    private static Spec spec(Map<String, String> annotations) throws Exception {
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":"
                + Spec.JSON.writeValueAsString(annotations) + "}";
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test config.json");
    }

    @Test
    void crioInfraContainerAndContainer() throws Exception {
        Spec infra = spec(Map.of("io.kubernetes.cri-o.ContainerType", "sandbox",
                "io.kubernetes.cri-o.ContainerID", "9940d0a11ec1",
                "io.kubernetes.cri-o.SandboxID", "9940d0a11ec1",
                "io.kubernetes.cri-o.HostNetwork", "false"));
        assertTrue(CriSandbox.is(infra));
        assertEquals(Optional.of("9940d0a11ec1"), CriSandbox.idOf(infra), "the infra container names itself");
        Spec container = spec(Map.of("io.kubernetes.cri-o.ContainerType", "container",
                "io.kubernetes.cri-o.SandboxID", "9940d0a11ec1"));
        assertFalse(CriSandbox.is(container));
        assertEquals(Optional.of("9940d0a11ec1"), CriSandbox.idOf(container));
    }

    @Test
    void containerdSandboxAndContainer() throws Exception {
        Spec sandbox = spec(Map.of("io.kubernetes.cri.container-type", "sandbox", "io.kubernetes.cri.sandbox-id", "abc"));
        assertTrue(CriSandbox.is(sandbox));
        assertEquals(Optional.of("abc"), CriSandbox.idOf(sandbox));
        Spec container = spec(Map.of("io.kubernetes.cri.container-type", "container", "io.kubernetes.cri.sandbox-id", "abc"));
        assertFalse(CriSandbox.is(container));
        assertEquals(Optional.of("abc"), CriSandbox.idOf(container));
    }

    @Test
    void aSpecNoCriRuntimeMadeNamesNoPod() throws Exception {
        Spec plain = spec(Map.of("org.opencontainers.image.ref.name", "busybox", "io.kubernetes.cri-o.SandboxID", ""));
        assertFalse(CriSandbox.is(plain));
        assertEquals(Optional.empty(), CriSandbox.idOf(plain));
    }
}
