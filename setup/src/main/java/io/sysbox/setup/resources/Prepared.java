package io.sysbox.setup.resources;

import io.sysbox.common.oci.IdMapping;

import java.util.Map;

/**
 * The answer to a {@link Preparation}: the container's mappings, the rootfs to hand the engine,
 * the idmapped sources of bind mounts (by their index in the spec's mounts), the host-backed
 * special directories to bind (destination to source), and the manager's defaults for the knobs
 * the spec did not set.
 */
public record Prepared(IdMapping uid, IdMapping gid, String rootfs, Map<Integer, String> mountSources,
                       Map<String, String> specialMounts, boolean honorCaps, boolean syscontMode) {
    public Prepared {
        mountSources = Map.copyOf(mountSources);
        specialMounts = Map.copyOf(specialMounts);
    }
}
