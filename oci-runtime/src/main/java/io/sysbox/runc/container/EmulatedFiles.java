package io.sysbox.runc.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The files sysbox-fs emulates per container (SPEC §6), bound over the container's own at the
 * same path. Only those sysbox-fs serves are bound, so a newer runtime works with an older
 * sysbox-fs.
 */
final class EmulatedFiles {
    private static final List<String> PATHS = List.of(
            // runc binds over these /proc files only (its list of what may be mounted inside /proc).
            "proc/uptime", "proc/swaps", "proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/loadavg",
            "proc/diskstats",
            "sys/devices/system/cpu/online",
            "sys/devices/virtual/dmi/id/product_uuid", "sys/module/nf_conntrack/parameters/hashsize",
            // Empty directories, bound whole over the host's file systems mounted there.
            "sys/kernel/config", "sys/kernel/debug", "sys/kernel/tracing", "sys/kernel/security");
    // sysbox-fs also serves the container's own sysctls (proc/sys/kernel/panic, ...), but runc
    // refuses any other mount inside /proc ("cannot be mounted because it is inside /proc"): they
    // need the mount made from inside the container's mount namespace (a hook, or the mount
    // interception of SPEC 7), which is not built yet.

    private EmulatedFiles() {}

    /**
     * Where sysbox-fs serves, beside {@code <mountpoint>/<id>}, the files no container can write:
     * {@code <mountpoint>/.ro/<id>}, on a FUSE connection mounted read-only, whose files the
     * kernel reads without a GETATTR after each read (docs/design.md, "read path").
     */
    private static final String READ_ONLY_DIRECTORY = ".ro";

    /**
     * Adds destination → source for each file present under root (sysbox-fs's directory of the
     * container), taken from the read-only directory beside it where sysbox-fs serves it there.
     * Looked up here rather than answered by sysbox-fs's Register, so the manager and the
     * protocol stay as they are, and a sysbox-fs without it (an older one) still gets its files bound.
     */
    static void addTo(Map<String, String> binds, Path root) {
        Path readOnlyRoot = root.resolveSibling(READ_ONLY_DIRECTORY).resolve(root.getFileName());
        for (String path : PATHS) {
            Path readOnly = readOnlyRoot.resolve(path);
            Path source = Files.exists(readOnly) ? readOnly : root.resolve(path);
            if (Files.exists(source)) binds.put("/" + path, source.toString());
        }
    }
}
