package io.sysbox.runc.container;

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
            "sys/devices/system/cpu/online",
            "sys/devices/virtual/dmi/id/product_uuid", "sys/module/nf_conntrack/parameters/hashsize",
            // Empty directories, bound whole over the host's file systems mounted there.
            "sys/kernel/config", "sys/kernel/debug", "sys/kernel/tracing", "sys/kernel/security");
    // sysbox-fs also serves the container's own sysctls (proc/sys/kernel/panic, ...), but runc
    // refuses any other spec mount inside /proc ("cannot be mounted because it is inside /proc"):
    // those are bound by a createRuntime hook instead (ProcSysHook), from the list sysctls() makes.
    private static final String SYSCTLS = "proc/sys";

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
            if (Files.exists(source)) binds.put("/" + path, source.toString());
        }
    }

    /** {@code path} under the read-only directory of the container where sysbox-fs serves it there, else under root. */
    private static Path preferReadOnly(Path root, String path) {
        Path readOnly = root.resolveSibling(READ_ONLY_DIRECTORY).resolve(root.getFileName()).resolve(path);
        return Files.exists(readOnly) ? readOnly : root.resolve(path);
    }

    /**
     * Destination (/proc/sys/...) → source of each sysctl file sysbox-fs serves under root: its
     * choice (per host kernel and modules) is the list, nothing here repeats it.
     */
    static Map<String, String> sysctls(Path root) throws IOException {
        Map<String, String> binds = new HashMap<>();
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
