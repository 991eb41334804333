package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The net.* sysctls of a network namespace the container does not own (a pod's): runc would write
 * them from inside the container's user namespace, where the kernel refuses them, so the manager
 * writes them from the host's side and they leave the spec. A pod's sandbox also gets
 * net.ipv4.ip_unprivileged_port_start=0 unless it sets one, as Docker gives every container: the
 * pod's root holds no capability over a namespace the host owns, and could not otherwise bind the
 * ports below 1024 that its servers (nginx on 80) expect.
 */
final class ForeignNetworkSysctls {
    static final String PORT_START = "net.ipv4.ip_unprivileged_port_start";

    private ForeignNetworkSysctls() {}

    /** The spec's net.* sysctls, plus the unprivileged-port default when the container makes the pod's user namespace. */
    static Map<String, String> of(Spec spec, boolean makesUserNamespace) {
        Map<String, String> sysctls = new LinkedHashMap<>();
        spec.linux().path("sysctl").properties().forEach(e -> {
            if (isNetwork(e.getKey()) && e.getValue().isTextual()) sysctls.put(e.getKey(), e.getValue().asText());
        });
        if (makesUserNamespace && !sysctls.containsKey(PORT_START) && !sysctls.containsKey(slashed(PORT_START))) {
            sysctls.put(PORT_START, "0");
        }
        return sysctls;
    }

    /** Takes the ones written from the host's side out of the spec. */
    static void removeFrom(Spec spec, Map<String, String> written) {
        JsonNode node = spec.linux().get("sysctl");
        if (!(node instanceof ObjectNode sysctl)) return;
        written.keySet().forEach(sysctl::remove);
        if (sysctl.isEmpty()) spec.linux().remove("sysctl");
    }

    private static boolean isNetwork(String name) {
        return name.startsWith("net.") || name.startsWith("net/");
    }

    private static String slashed(String name) {
        return name.replace('.', '/');
    }
}
