package io.sysbox.setup.container;

import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The annotations as containerd 1.6 and CRI-O 1.32 write them (CRI-O's as in a dumped infra container's config.json). */
class CriSandboxTest {
    private static Spec spec(Map<String, String> annotations) throws Exception {
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"annotations\":"
                + Spec.JSON.writeValueAsString(annotations) + "}";
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test config.json");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "CRI-O, io.kubernetes.cri-o.ContainerType, io.kubernetes.cri-o.SandboxID",
        "containerd, io.kubernetes.cri.container-type, io.kubernetes.cri.sandbox-id"})
    void theSandboxAndItsContainersNameTheSandbox(String runtime, String typeKey, String sandboxKey) throws Exception {
        // The sandbox names itself (CRI-O also writes its own ContainerID, the same id).
        Spec sandbox = spec(Map.of(typeKey, "sandbox", sandboxKey, "9940d0a11ec1", "io.kubernetes.cri-o.HostNetwork", "false"));
        assertTrue(CriSandbox.is(sandbox));
        assertEquals(Optional.of("9940d0a11ec1"), CriSandbox.idOf(sandbox));
        Spec container = spec(Map.of(typeKey, "container", sandboxKey, "9940d0a11ec1"));
        assertFalse(CriSandbox.is(container));
        assertEquals(Optional.of("9940d0a11ec1"), CriSandbox.idOf(container));
    }

    @Test
    void aSpecNoCriRuntimeMadeNamesNoPod() throws Exception {
        Spec plain = spec(Map.of("org.opencontainers.image.ref.name", "busybox", "io.kubernetes.cri-o.SandboxID", ""));
        assertFalse(CriSandbox.is(plain));
        assertEquals(Optional.empty(), CriSandbox.idOf(plain));
    }
}
