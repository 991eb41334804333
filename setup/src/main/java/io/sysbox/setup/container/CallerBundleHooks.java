package io.sysbox.setup.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The spec's own hooks, each run through libexec/sysbox-hook-state (hooks/ module), so the state
 * the engine writes to its stdin names the bundle the caller created the container from, as
 * `sysbox-runc state` shows it, not sysbox-runc's private bundle the engine was handed
 * (runtime-tools' hooks_stdin checks it). Hooks the setup adds itself (ProcSysHook) are added after.
 */
final class CallerBundleHooks {
    static final String NAME = "sysbox-hook-state";

    private CallerBundleHooks() {}

    /** Wraps every hook of the spec; nothing to do (and no helper needed) when it has none. */
    static void wrap(Spec spec, Path callerBundle, Libexec libexec) throws IOException {
        if (!(spec.json().get("hooks") instanceof ObjectNode hooks) || !hasAny(hooks)) return;
        String helper = libexec.find(NAME, "to give the spec's hooks the caller's bundle").toString();
        String bundle = jsonContent(callerBundle.toString());
        for (Iterator<Map.Entry<String, JsonNode>> kinds = hooks.fields(); kinds.hasNext(); ) {
            if (!(kinds.next().getValue() instanceof ArrayNode list)) continue;
            for (JsonNode node : list) {
                if (!(node instanceof ObjectNode hook) || !hook.path("path").isTextual()) continue;
                String path = hook.path("path").asText();
                ArrayNode args = Spec.JSON.createArrayNode().add(NAME).add(bundle).add(path);
                if (hook.path("args") instanceof ArrayNode original && !original.isEmpty()) args.addAll(original);
                else args.add(path);
                hook.put("path", helper);
                hook.set("args", args);
            }
        }
    }

    private static boolean hasAny(ObjectNode hooks) {
        for (JsonNode list : hooks) {
            if (list instanceof ArrayNode a && !a.isEmpty()) return true;
        }
        return false;
    }

    /** The JSON string literal of TEXT without its quotes: the helper splices it in as it is. */
    private static String jsonContent(String text) throws JsonProcessingException {
        String literal = Spec.JSON.writeValueAsString(text);
        return literal.substring(1, literal.length() - 1);
    }
}
