package io.sysbox.mgr.service;

import io.sysbox.common.proto.IdMapping;
import io.sysbox.mgr.idrange.ContainerMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a process's user namespace has a given mapping: a container that says it joins that
 * namespace brings its mapping, and the manager believes it only when the namespace exists with it.
 */
final class JoinedUserNamespace {
    private JoinedUserNamespace() {}

    /** True when process PID's uid_map and gid_map are MAPPING (false when they differ or cannot be read). */
    static boolean hasMapping(String id, long pid, ContainerMapping mapping) {
        try {
            Path proc = Path.of("/proc", Long.toString(pid));
            Optional<ContainerMapping> actual = HonouredMappings.of(id, read(proc.resolve("uid_map")), read(proc.resolve("gid_map")));
            return actual.isPresent() && actual.get().equals(mapping);
        } catch (IOException | ServiceException | RuntimeException e) {
            return false; // gone, or not a mapping sysbox honours: no claim to another container's range
        }
    }

    private static List<IdMapping> read(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+"))
                .map(f -> IdMapping.newBuilder().setContainerId(Integer.parseUnsignedInt(f[0]))
                        .setHostId(Integer.parseUnsignedInt(f[1])).setSize(Integer.parseUnsignedInt(f[2])).build())
                .toList();
    }
}
