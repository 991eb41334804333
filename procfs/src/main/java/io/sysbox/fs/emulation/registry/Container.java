package io.sysbox.fs.emulation.registry;

import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;

/**
 * A registered container: what its emulated files are computed from.
 *
 * @param startBoottimeNanos when it started, on CLOCK_BOOTTIME (the clock of /proc/uptime)
 * @param cgroups its cgroup directories on the host by controller ("memory", "cpu", ... or
 *                "unified" for cgroup v2)
 * @param pid its init process on the host, 0 when unknown
 * @param rootUid host uid of its root user: owner of its emulated files
 * @param rootGid host gid of its root group
 */
public record Container(String id, long startBoottimeNanos, Map<String, Path> cgroups, long pid, int rootUid,
                        int rootGid) {
    public Container {
        cgroups = Map.copyOf(cgroups);
    }

    public Optional<Path> memoryCgroup() {
        return cgroup("memory");
    }

    /** Its directory in the hierarchy of {@code controller} ("cpu", "cpuset", "unified"...), if registered. */
    public Optional<Path> cgroup(String controller) {
        return Optional.ofNullable(cgroups.get(controller));
    }
}
