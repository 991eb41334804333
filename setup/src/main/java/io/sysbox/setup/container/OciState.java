package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OCI state a runtime writes on a hook's stdin (runtime-spec "State"): what the OCI hooks
 * mode reads of it. {@code pid} is 0 where the runtime gives none (a poststop hook's state).
 */
record OciState(String id, String status, long pid, String bundle, Map<String, String> annotations) {
    OciState {
        annotations = Map.copyOf(annotations);
    }

    static OciState parse(byte[] json) throws InvalidSpecException {
        JsonNode node;
        try {
            node = Spec.JSON.readTree(json);
        } catch (IOException e) {
            throw new InvalidSpecException("the OCI state on the hook's stdin is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException("the OCI state on the hook's stdin is not a JSON object"
                    + " (is this run as an OCI hook?)");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        String id = node.path("id").asText("");
        if (id.isEmpty()) throw new InvalidSpecException("the OCI state on the hook's stdin has no \"id\"");
        return new OciState(id, node.path("status").asText(""), node.path("pid").asLong(0),
                node.path("bundle").asText(""), annotations);
    }
}
