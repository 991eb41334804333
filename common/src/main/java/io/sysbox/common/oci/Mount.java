package io.sysbox.common.oci;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** mounts[]: what the conversion reads of a mount. */
public record Mount(String destination, String type, String source, List<String> options) {
    public static Mount of(JsonNode m) {
        List<String> options = new ArrayList<>();
        m.path("options").forEach(o -> options.add(o.asText()));
        return new Mount(m.path("destination").asText(), m.path("type").asText(""),
                m.path("source").asText(""), List.copyOf(options));
    }

    public boolean isBind() {
        return "bind".equals(type) || options.contains("bind") || options.contains("rbind");
    }

    public boolean isRecursiveBind() {
        return options.contains("rbind");
    }
}
