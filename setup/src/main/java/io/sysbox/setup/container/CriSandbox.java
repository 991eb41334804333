package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.Spec;

/**
 * Whether a spec is a CRI pod's sandbox (its pause container), as the CRI runtime marks it:
 * containerd's {@code io.kubernetes.cri.container-type}, CRI-O's {@code io.kubernetes.cri-o.ContainerType}.
 * Only a sandbox's network namespace is the pod's alone, so only there may the setup move it.
 */
final class CriSandbox {
    static final String CONTAINERD_TYPE = "io.kubernetes.cri.container-type";
    static final String CRIO_TYPE = "io.kubernetes.cri-o.ContainerType";

    private CriSandbox() {}

    static boolean is(Spec spec) {
        JsonNode annotations = spec.json().path("annotations");
        return annotations.path(CONTAINERD_TYPE).asText("").equals("sandbox")
                || annotations.path(CRIO_TYPE).asText("").equals("sandbox");
    }
}
