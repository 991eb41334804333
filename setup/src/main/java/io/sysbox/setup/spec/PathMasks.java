package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Set;

/** Edits linux.maskedPaths and linux.readonlyPaths. */
final class PathMasks {

    /**
     * Masked or read-only in application containers, but a system container's root must reach
     * them: sysctls under /proc/sys are namespaced or emulated by sysbox-fs, and /proc is mounted
     * per container anyway.
     */
    static final Set<String> SYSTEM_CONTAINER_NEEDS =
            Set.of("/proc", "/proc/sys", "/proc/kcore", "/proc/kallsyms", "/proc/kmsg");

    /** systemd mounts and writes these at boot. */
    static final Set<String> SYSTEMD_NEEDS = Set.of("/run", "/run/lock", "/tmp", "/sys/kernel");

    private PathMasks() {
    }

    /** Removes PATHS from both lists of LINUX, leaving every other entry as it was. */
    static void unmask(ObjectNode linux, Set<String> paths) {
        remove(linux.get("maskedPaths"), paths);
        remove(linux.get("readonlyPaths"), paths);
    }

    private static void remove(JsonNode list, Set<String> paths) {
        if (!(list instanceof ArrayNode array)) return;
        for (int i = array.size() - 1; i >= 0; i--) {
            String path = array.get(i).asText();
            if (!path.isEmpty() && paths.contains(Path.of(path).normalize().toString())) array.remove(i);
        }
    }
}
