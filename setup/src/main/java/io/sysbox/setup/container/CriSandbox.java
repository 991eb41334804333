package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.Spec;

import java.util.Optional;

/**
 * What the CRI runtime writes into a spec about the pod it belongs to, as each runtime spells it
 * (containerd 1.6 pkg/cri/annotations; CRI-O pkg/annotations, which it writes on the infra
 * container and on every container of the pod).
 */
final class CriSandbox {
    static final String CONTAINERD_TYPE = "io.kubernetes.cri.container-type";
    static final String CRIO_TYPE = "io.kubernetes.cri-o.ContainerType";
    static final String CONTAINERD_SANDBOX_ID = "io.kubernetes.cri.sandbox-id";
    static final String CRIO_SANDBOX_ID = "io.kubernetes.cri-o.SandboxID";

    private CriSandbox() {}

    /**
     * Whether the spec is a pod's sandbox (its pause or infra container), type {@code sandbox}.
     * Only a sandbox's namespaces are the pod's alone, so only there may the setup hand them over.
     */
    static boolean is(Spec spec) {
        JsonNode annotations = spec.json().path("annotations");
        return annotations.path(CONTAINERD_TYPE).asText("").equals("sandbox")
                || annotations.path(CRIO_TYPE).asText("").equals("sandbox");
    }

    /**
     * The container id of the pod's sandbox (on the sandbox itself: its own id), when a CRI
     * runtime made the spec. The pod's containers share that container's user namespace.
     */
    static Optional<String> idOf(Spec spec) {
        JsonNode annotations = spec.json().path("annotations");
        for (String key : new String[] {CONTAINERD_SANDBOX_ID, CRIO_SANDBOX_ID}) {
            String id = annotations.path(key).asText("");
            if (!id.isEmpty()) return Optional.of(id);
        }
        return Optional.empty();
    }
}
