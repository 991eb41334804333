package io.sysbox.setup.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
        for (String path : PATHS) {
            Path source = preferReadOnly(root, path);
            // Each probe is a FUSE round trip in the create path: one found read-only is not made again.
            boolean found = !source.startsWith(root) || Files.exists(source);
            if (found) binds.put("/" + path, source.toString());
        }
    }

    /**
     * File {@code path} under the read-only directory of the container where sysbox-fs serves it
     * there, else under root. Directories always from root: those bound whole (sys/kernel,
     * devices/virtual) pass host nodes through, and a write to one must be refused as sysfs
     * refuses a container's root (EACCES), not with the read-only mount's EROFS.
     */
    private static Path preferReadOnly(Path root, String path) {
        Path readOnly = root.resolveSibling(READ_ONLY_DIRECTORY).resolve(root.getFileName()).resolve(path);
        return Files.isRegularFile(readOnly) ? readOnly : root.resolve(path);
    }

    /**
     * Destination → source of every emulated file sysbox-fs serves under root, those a spec could
     * bind and those only the hook can: what the OCI hooks mode binds, where no spec is converted.
     */
    static Map<String, String> all(Path root) throws IOException {
        Map<String, String> binds = hookBinds(root);
        addTo(binds, root);
        return binds;
    }

    /**
     * Destination → source of what the hook binds: each sysctl file sysbox-fs serves under root
     * (/proc/sys/...; its choice, per host kernel and modules, is the list, nothing here repeats
     * it) and its /sys/devices/virtual.
     */
    static Map<String, String> hookBinds(Path root) throws IOException {
        Map<String, String> binds = new HashMap<>();
        Path virtual = root.resolve(DEVICES_VIRTUAL.substring(1));
        if (Files.isDirectory(virtual)) binds.put(DEVICES_VIRTUAL, virtual.toString());
        Path dir = root.resolve(SYSCTLS);
        if (!Files.isDirectory(dir)) return binds;
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .forEach(path -> binds.put("/" + path, preferReadOnly(root, path.toString()).toString()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return binds;
    }
}
