package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.resources.Preparation;

import java.io.IOException;
import java.util.Optional;

/**
 * The pod a container's spec belongs to, from the annotations the CRI runtime always writes, so
 * the manager can give a pod's sandbox the range sysbox-cri reserved for the pod
 * (ReservePodRange) instead of a new one. Only the pod's identity is read, never a range: a pod
 * annotation passed through to the spec can at most name a pod, and the manager uses a
 * reservation only when every identity field given agrees with it.
 *
 * containerd 1.6 (pkg/cri/annotations): io.kubernetes.cri.sandbox-uid, -name, -namespace on
 * sandboxes (and containers). CRI-O: io.kubernetes.cri-o.Labels, the kubelet's labels as JSON
 * (io.kubernetes.pod.uid, .name, .namespace).
 */
final class PodReservation {
    static final String CONTAINERD_UID = "io.kubernetes.cri.sandbox-uid";
    static final String CONTAINERD_NAME = "io.kubernetes.cri.sandbox-name";
    static final String CONTAINERD_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    static final String CRIO_LABELS = "io.kubernetes.cri-o.Labels";

    private PodReservation() {}

    /** The pod the spec names, if it names one. */
    static Optional<Preparation.PodName> of(Spec spec) {
        JsonNode annotations = spec.json().path("annotations");
        String uid = annotations.path(CONTAINERD_UID).asText("");
        String name = annotations.path(CONTAINERD_NAME).asText("");
        String namespace = annotations.path(CONTAINERD_NAMESPACE).asText("");
        if (uid.isEmpty() && (name.isEmpty() || namespace.isEmpty())) {
            JsonNode labels = crioLabels(annotations.path(CRIO_LABELS).asText(""));
            uid = labels.path("io.kubernetes.pod.uid").asText("");
            name = labels.path("io.kubernetes.pod.name").asText("");
            namespace = labels.path("io.kubernetes.pod.namespace").asText("");
        }
        if (uid.isEmpty() && (name.isEmpty() || namespace.isEmpty())) return Optional.empty();
        return Optional.of(new Preparation.PodName(uid, namespace, name));
    }

    private static JsonNode crioLabels(String json) {
        if (json.isEmpty()) return Spec.JSON.missingNode();
        try {
            return Spec.JSON.readTree(json);
        } catch (IOException e) {
            return Spec.JSON.missingNode(); // not CRI-O's: no pod named
        }
    }
}
