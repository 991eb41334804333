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
            "proc/uptime", "proc/swaps", "proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/loadavg",
            "proc/diskstats", "sys/devices/system/cpu/online");

    private EmulatedFiles() {}

    /** Adds destination → source for each file present under root (sysbox-fs's directory of the container). */
    static void addTo(Map<String, String> binds, Path root) {
        for (String path : PATHS) {
            Path source = root.resolve(path);
            if (Files.exists(source)) binds.put("/" + path, source.toString());
        }
    }
}
