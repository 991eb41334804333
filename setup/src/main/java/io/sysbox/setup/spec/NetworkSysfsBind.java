package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A container that joins a network namespace its user namespace does not own (a pod's, made by
 * CNI; another container's) may not mount sysfs: the kernel asks for CAP_SYS_ADMIN over the
 * namespace's owner. The manager mounts one for that namespace from the host side, and each
 * sysfs mount at /sys becomes a bind of it, with the mount's own flags (nosuid, ro, ...), so the
 * container still lists its own interfaces in /sys/class/net. Applied in every mode, last, after
 * the system-container mount rules have fixed /sys's options.
 */
final class NetworkSysfsBind {
    private NetworkSysfsBind() {}

    static void apply(ArrayNode mounts, String source) {
        for (JsonNode node : mounts) {
            if (!(node instanceof ObjectNode m)) continue;
            if (!MountNodes.destination(m).equals("/sys") || !MountNodes.type(m).equals("sysfs")) continue;
            m.put("type", "bind");
            m.put("source", source);
            MountNodes.addOption(m, "bind");
        }
    }
}
