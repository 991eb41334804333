package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.util.List;

/**
 * Relaxes the engine's seccomp profile (linux.seccomp) so that what a system container's root does
 * routinely (mounts, namespaces, pivot_root for inner containers, hostnames, keyrings for systemd)
 * is allowed. The user namespace, not seccomp, is what confines these calls to the container.
 */
final class SeccompRelaxation {

    static final List<String> ALLOWED = List.of(
            "mount", "umount2", "pivot_root", "unshare", "setns", "sethostname", "keyctl", "add_key", "request_key");

    private static final String ALLOW = "SCMP_ACT_ALLOW";

    private SeccompRelaxation() {
    }

    static void apply(ObjectNode seccomp) {
        // An allow-by-default profile is none of the engines' defaults (Docker's and containerd's
        // deny by default and list what they allow): a rule in it that denies one of these calls
        // is its author's deliberate choice (a Kubernetes localhost profile, say), and stays.
        if (ALLOW.equals(seccomp.path("defaultAction").asText())) return;
        if (seccomp.get("syscalls") instanceof ArrayNode rules) {
            // Drop the names from every rule, whatever its action or arguments, so no rule can
            // deny or restrict them once the unconditional allow is added.
            for (int i = rules.size() - 1; i >= 0; i--) {
                if (!(rules.get(i) instanceof ObjectNode rule) || !(rule.get("names") instanceof ArrayNode names)) {
                    continue;
                }
                int before = names.size();
                for (int j = names.size() - 1; j >= 0; j--) {
                    if (ALLOWED.contains(names.get(j).asText())) names.remove(j);
                }
                if (names.isEmpty() && before > 0) rules.remove(i);
            }
        }
        ObjectNode rule = Spec.arrayIn(seccomp, "syscalls").addObject();
        ALLOWED.forEach(rule.putArray("names")::add);
        rule.put("action", ALLOW);
    }
}
