package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the container's seccomp filter hand its mount and umount2 calls to sysbox-fs
 * (SCMP_ACT_NOTIFY, with linux.seccomp.listenerPath: the engine connects there and passes the
 * listener), on top of the engine's profile: every other rule of the profile stays as it was. A
 * spec without a profile gets one that allows everything else.
 */
public final class SeccompNotifyFilter {
    static final List<String> NOTIFIED = List.of("mount", "umount2");
    private static final String ALLOW = "SCMP_ACT_ALLOW", NOTIFY = "SCMP_ACT_NOTIFY";

    private SeccompNotifyFilter() {}

    /** Run after the conversion (its relaxation allows these calls; the notify rule replaces that). */
    public static void apply(Spec spec, String listenerPath) {
        ObjectNode linux = spec.linux();
        ObjectNode seccomp;
        if (linux.get("seccomp") instanceof ObjectNode existing) {
            seccomp = existing;
        } else {
            seccomp = linux.putObject("seccomp");
            seccomp.put("defaultAction", ALLOW);
        }
        boolean allowByDefault = ALLOW.equals(seccomp.path("defaultAction").asText());
        Set<String> notified = new HashSet<>(NOTIFIED);
        if (seccomp.get("syscalls") instanceof ArrayNode rules) {
            // libseccomp refuses two rules of different actions for one call without arguments, so the
            // names leave every other rule. In an allow-by-default profile a rule that does not allow
            // one is its author's choice (see SeccompRelaxation), and that call is not notified.
            for (int i = rules.size() - 1; i >= 0; i--) {
                if (!(rules.get(i) instanceof ObjectNode rule) || !(rule.get("names") instanceof ArrayNode names)) continue;
                boolean allows = ALLOW.equals(rule.path("action").asText());
                int before = names.size();
                for (int j = names.size() - 1; j >= 0; j--) {
                    String name = names.get(j).asText();
                    if (!NOTIFIED.contains(name)) continue;
                    if (allowByDefault && !allows) {
                        notified.remove(name);
                    } else {
                        names.remove(j);
                    }
                }
                if (names.isEmpty() && before > 0) rules.remove(i);
            }
        }
        if (notified.isEmpty()) return;
        ObjectNode rule = Spec.arrayIn(seccomp, "syscalls").addObject();
        NOTIFIED.stream().filter(notified::contains).forEach(rule.putArray("names")::add);
        rule.put("action", NOTIFY);
        seccomp.put("listenerPath", listenerPath);
    }
}
