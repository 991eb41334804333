package io.sysbox.setup.container;

import io.sysbox.setup.resources.EmulatedTree;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files sysbox-fs emulates per container (SPEC §6), bound over the container's own at the
 * same path. Only those sysbox-fs serves are bound: its Register answers the list
 * (EmulatedTree), so nothing here looks through FUSE.
 */
final class EmulatedFiles {
    private static final List<String> PATHS = List.of(
            // runc binds over these /proc files only (its list of what may be mounted inside /proc).
            "proc/uptime", "proc/swaps", "proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/loadavg",
            "proc/diskstats",
            "sys/devices/system/cpu/online", "sys/module/nf_conntrack/parameters/hashsize",
            // A directory bound whole: the host's nodes passed through, config, debug, tracing and
            // security empty (sysbox-fs serves them whether or not this kernel has them).
            "sys/kernel");
    // sysbox-fs also serves the container's own sysctls (proc/sys/kernel/panic, ...), but runc
    // refuses any other spec mount inside /proc ("cannot be mounted because it is inside /proc"):
    // those are bound by a createRuntime hook instead (ProcSysHook), from the list hookBinds() makes.
    private static final String SYSCTLS = "proc/sys";
    /**
     * Bound whole by the hook too: the container's own sysfs net directory under it (the devices
     * of its network namespace) must be put back over sysbox-fs's, which only the hook can take
     * from under the bind (see ProcSysHook).
     */
    static final String DEVICES_VIRTUAL = "/sys/devices/virtual";

    private EmulatedFiles() {}

    /**
     * Adds destination → source for each of PATHS that sysbox-fs serves (a file from the
     * read-only connection where it is served there; a directory always from the read-write
     * one: those bound whole, sys/kernel, pass host nodes through, and a write to one must be
     * refused as sysfs refuses a container's root (EACCES), not with the read-only mount's EROFS).
     */
    static void addTo(Map<String, String> binds, EmulatedTree tree) {
        for (String path : PATHS) {
            if (tree.files().contains(path)) {
                binds.put("/" + path, tree.sourceOf(path).toString());
            } else if (tree.directories().contains(path)) {
                binds.put("/" + path, tree.root().resolve(path).toString());
            }
        }
    }

    /**
     * Destination → source of every emulated file sysbox-fs serves, those a spec could bind and
     * those only the hook can: what the OCI hooks mode binds, where no spec is converted.
     */
    static Map<String, String> all(EmulatedTree tree) {
        Map<String, String> binds = hookBinds(tree);
        addTo(binds, tree);
        return binds;
    }

    /**
     * Destination → source of what the hook binds: each sysctl file sysbox-fs serves
     * (/proc/sys/...; its choice, per host kernel and modules, is the list, nothing here repeats
     * it) and its /sys/devices/virtual.
     */
    static Map<String, String> hookBinds(EmulatedTree tree) {
        Map<String, String> binds = new HashMap<>();
        String virtual = DEVICES_VIRTUAL.substring(1);
        if (tree.directories().contains(virtual)) binds.put(DEVICES_VIRTUAL, tree.root().resolve(virtual).toString());
        for (String file : tree.files()) {
            if (file.startsWith(SYSCTLS + "/")) binds.put("/" + file, tree.sourceOf(file).toString());
        }
        return binds;
    }
}
