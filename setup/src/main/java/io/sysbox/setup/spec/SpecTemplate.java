package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.util.List;
import java.util.Optional;

/** The config.json that {@code sysbox-runc spec} writes: a system container ready to run with {@code rootfs/}. */
public final class SpecTemplate {

    private static final List<String> NAMESPACES = List.of("pid", "network", "ipc", "uts", "mount", "cgroup");
    /** runc's defaults without the paths a system container needs (see {@link PathMasks}). */
    private static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    private static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sysrq-trigger");

    private SpecTemplate() {
    }

    public static IdMapOption parseIdMap(String text) throws InvalidSpecException {
        return IdMapOption.parse(text);
    }

    /**
     * Capabilities are left out (the runtime fills them at create from what it holds) and so is the
     * user namespace (added at create, with the manager's range unless IDMAP is given).
     */
    public static ObjectNode systemContainer(Optional<IdMapOption> idMap) {
        ObjectNode spec = Spec.JSON.createObjectNode();
        spec.put("ociVersion", "1.0.2-dev");

        ObjectNode process = spec.putObject("process");
        process.put("terminal", true);
        process.putObject("user").put("uid", 0).put("gid", 0);
        process.putArray("args").add("sh");
        process.putArray("env")
                .add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .add("TERM=xterm");
        process.put("cwd", "/");
        // System containers run setuid programs (sudo, su, ping) like any machine.
        process.put("noNewPrivileges", false);

        spec.putObject("root").put("path", "rootfs").put("readonly", false);
        spec.put("hostname", "syscont");

        ArrayNode mounts = spec.putArray("mounts");
        mounts.add(MountNodes.proc());
        mounts.add(MountNodes.devTmpfs());
        mounts.add(MountNodes.devpts());
        mounts.add(MountNodes.shm());
        mounts.add(MountNodes.mqueue());
        mounts.add(MountNodes.sysfs(false));
        mounts.add(MountNodes.cgroup());

        ObjectNode linux = spec.putObject("linux");
        // Deny all devices first: runc then allows its default set (null, zero, tty, …) only.
        linux.putObject("resources").putArray("devices").addObject().put("allow", false).put("access", "rwm");
        ArrayNode namespaces = linux.putArray("namespaces");
        NAMESPACES.forEach(type -> namespaces.addObject().put("type", type));
        idMap.ifPresent(map -> {
            map.uid().addTo(linux.putArray("uidMappings"));
            map.gid().addTo(linux.putArray("gidMappings"));
        });
        MASKED_PATHS.forEach(linux.putArray("maskedPaths")::add);
        READONLY_PATHS.forEach(linux.putArray("readonlyPaths")::add);
        return spec;
    }
}
