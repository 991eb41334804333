package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.sys.MountFlags;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A bind mount made in the container's mount namespace from a mount of the host's keeps the
 * source's nosuid, nodev, noexec and read-only flags locked (the kernel's MNT_LOCK_*: a user
 * namespace may not drop what the host set). runc 1.1 remounts a bind that has options (say
 * "ro") with only the spec's flags, which then drops the locked ones and fails with EPERM: a
 * pod's /dev/shm (containerd binds the sandbox's nosuid,nodev,noexec tmpfs "ro" into it) never
 * mounts. Each bind therefore carries its source's locked flags as options, which changes
 * nothing the kernel would allow and lets runc's remount keep them.
 */
public final class LockedBindFlags {
    private static final Map<Long, String> LOCKED = Map.of(MountFlags.ST_NOSUID, "nosuid",
            MountFlags.ST_NODEV, "nodev", MountFlags.ST_NOEXEC, "noexec", MountFlags.ST_RDONLY, "ro");

    private LockedBindFlags() {}

    /** FLAGS_OF: the flags of the mount an absolute source path is on, empty when it cannot be read. */
    public static void apply(ArrayNode mounts, Function<String, Optional<MountFlags>> flagsOf) {
        for (JsonNode node : mounts) {
            if (!(node instanceof ObjectNode m) || !isBind(m)) continue;
            String source = m.path("source").asText("");
            if (!source.startsWith("/")) continue;
            Optional<MountFlags> flags = flagsOf.apply(source);
            if (flags.isEmpty()) continue;
            LOCKED.forEach((flag, option) -> {
                if (!flags.get().has(flag)) return;
                if (option.equals("ro")) MountNodes.removeOption(m, "rw");
                MountNodes.addOption(m, option);
            });
        }
    }

    private static boolean isBind(ObjectNode m) {
        return MountNodes.type(m).equals("bind") || MountNodes.hasOption(m, "bind") || MountNodes.hasOption(m, "rbind");
    }
}
