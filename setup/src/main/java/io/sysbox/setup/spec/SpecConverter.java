package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a validated spec into a system-container spec for the low-level runtime (SPEC §3), in
 * place. Only the fields the rules name are touched; everything else passes through.
 */
public final class SpecConverter {

    private static final String PING_GROUP_RANGE = "net.ipv4.ping_group_range";
    private static final List<String> CAPABILITY_SETS = List.of("bounding", "effective", "inheritable", "permitted", "ambient");
    /** The lowest value a process in a user namespace may be given; lower ones need host privileges. */
    static final int MIN_OOM_SCORE_ADJ = -999;

    private SpecConverter() {
    }

    public static void convert(Spec spec, ConversionInputs in) {
        applyUserNamespace(spec, in);
        applyProcessAttributes(spec);
        if (in.syscontMode()) applySystemContainer(spec, in);
        in.networkSysfs().ifPresent(source -> NetworkSysfsBind.apply(spec.mounts(), source));
    }

    private static void applySystemContainer(Spec spec, ConversionInputs in) {
        boolean systemd = SystemdInit.isSystemd(spec.args());
        if (spec.json().get("process") instanceof ObjectNode process) {
            applyCapabilities(process, in.capabilities(), in.honorCaps());
            if (systemd) setEnv(process, "container", "private-users");
        }
        ObjectNode linux = spec.linux();
        SystemMounts.apply(spec.mounts(), spec.rootReadonly(), systemd, in.libModulesDir(), in.specialMounts());
        PathMasks.unmask(linux, PathMasks.SYSTEM_CONTAINER_NEEDS);
        if (systemd) PathMasks.unmask(linux, PathMasks.SYSTEMD_NEEDS);
        if (linux.get("seccomp") instanceof ObjectNode seccomp) SeccompRelaxation.apply(seccomp);
    }

    /**
     * Applied in every mode, plain containers are user-namespaced too: AppArmor profiles are
     * ignored (these hosts have no LSM, and a low-level runtime such as crun fails on a profile it
     * cannot load), and an OOM score below what a user namespace may set is raised.
     */
    private static void applyProcessAttributes(Spec spec) {
        spec.linux().remove("apparmorProfile");
        if (!(spec.json().get("process") instanceof ObjectNode process)) return;
        process.remove("apparmorProfile");
        JsonNode oom = process.get("oomScoreAdj");
        if (oom != null && oom.isNumber() && oom.asInt() < MIN_OOM_SCORE_ADJ) {
            process.put("oomScoreAdj", MIN_OOM_SCORE_ADJ);
        }
    }

    /** The part applied in every mode: a user namespace with the container's mapping, on its idmapped rootfs. */
    private static void applyUserNamespace(Spec spec, ConversionInputs in) {
        Spec.objectIn(spec.json(), "root").put("path", in.rootfs());
        JsonNode mounts = spec.json().path("mounts");
        for (Map.Entry<Integer, String> e : in.mountSources().entrySet()) {
            if (!(mounts.path(e.getKey()) instanceof ObjectNode mount)) {
                throw new IllegalArgumentException("mountSources names mount " + e.getKey()
                        + " but the spec has " + mounts.size() + " mounts");
            }
            mount.put("source", e.getValue());
        }

        ObjectNode linux = spec.linux();
        ArrayNode namespaces = Spec.arrayIn(linux, "namespaces");
        ObjectNode user = namespace(namespaces, "user").orElseGet(() -> namespaces.addObject().put("type", "user"));
        in.userNamespacePath().ifPresent(path -> user.put("path", path));
        if (namespace(namespaces, "cgroup").isEmpty()) namespaces.addObject().put("type", "cgroup");

        // runc 1.1 wants the mappings even when it joins an existing user namespace by path; they
        // are then the owner's, which is what the inputs carry.
        in.uidMapping().addTo(linux.putArray("uidMappings"));
        in.gidMapping().addTo(linux.putArray("gidMappings"));
        linux.put("cgroupsPath", in.cgroupsPath());
        clampPingGroupRange(linux, in.gidMapping().size());
    }

    /**
     * Docker sets net.ipv4.ping_group_range to "0 2147483647" unless it knows of a user namespace;
     * the low-level runtime writes it from inside the container's user namespace, where the kernel
     * refuses gids that are not mapped (EINVAL, and the container fails to start). The range is
     * clamped to the container's gids, which grants exactly the same groups.
     */
    private static void clampPingGroupRange(ObjectNode linux, long mappedGids) {
        if (!(linux.get("sysctl") instanceof ObjectNode sysctl)) return;
        JsonNode value = sysctl.get(PING_GROUP_RANGE);
        if (value == null || !value.isTextual()) return;
        String[] bounds = value.asText().strip().split("\\s+");
        if (bounds.length != 2) return;
        long low;
        long high;
        try {
            low = Long.parseLong(bounds[0]);
            high = Long.parseLong(bounds[1]);
        } catch (NumberFormatException e) {
            return; // the kernel's own error will name it
        }
        long last = mappedGids - 1;
        if (low < 0 || low > high || (high <= last)) return;
        // A range wholly above the mapped gids grants nobody inside; "1 0" is the kernel's "none".
        sysctl.put(PING_GROUP_RANGE, low > last ? "1 0" : low + " " + last);
    }

    private static Optional<ObjectNode> namespace(ArrayNode namespaces, String type) {
        for (JsonNode n : namespaces) {
            if (n instanceof ObjectNode o && type.equals(o.path("type").asText())) return Optional.of(o);
        }
        return Optional.empty();
    }

    /**
     * Gives PROCESS (a spec's process or an exec process JSON) the capabilities of a system
     * container: uid 0 gets everything the runtime holds in all five sets, like root on a machine;
     * any other uid gets only the bounding set, so setuid programs and file capabilities still
     * work. With HONOR_CAPS the process keeps what it asked for.
     */
    public static void applyCapabilities(ObjectNode process, RuntimeCapabilities caps, boolean honorCaps) {
        if (honorCaps || dropsAll(process)) return;
        boolean root = process.path("user").path("uid").asLong(0) == 0;
        ObjectNode sets = process.putObject("capabilities");
        for (String set : CAPABILITY_SETS) {
            ArrayNode names = sets.putArray(set);
            if (root || set.equals("bounding")) caps.names().forEach(names::add);
        }
    }

    /**
     * A process whose capabilities are given and all empty asked for none (Docker's --cap-drop
     * ALL, Kubernetes' drop: [ALL]): no engine's default looks like that, so it is kept, like
     * SYSBOX_HONOR_CAPS would keep it.
     */
    private static boolean dropsAll(ObjectNode process) {
        if (!(process.get("capabilities") instanceof ObjectNode sets)) return false;
        for (String set : CAPABILITY_SETS) {
            if (sets.path(set).size() > 0) return false;
        }
        return true;
    }

    private static void setEnv(ObjectNode process, String name, String value) {
        ArrayNode env = Spec.arrayIn(process, "env");
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).asText().startsWith(name + "=")) env.remove(i);
        }
        env.add(name + "=" + value);
    }
}
