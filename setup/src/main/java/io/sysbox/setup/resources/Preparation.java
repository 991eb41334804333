package io.sysbox.setup.resources;

import io.sysbox.common.oci.IdMapping;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the setup asks of the container's resources before it converts the spec: ids (or the
 * spec's own mappings), a shifted rootfs and bind-mount sources, and for a foreground run what
 * tells the manager the container is gone. The manager's wire message is PrepareRequest
 * ({@link PrepareMessages}); the setup speaks only this.
 *
 * @param uidMappings the spec's (or the joined container's) mappings; empty: allocate a range
 * @param watchPid the process that becomes the engine: its exit with the engine's state gone ends a foreground run
 * @param runtimeStateDir the engine's state directory of the container
 * @param runtimePrivateDir sysbox-runc's private directory of the container
 * @param pod the pod the spec's CRI annotations name (its reserved range, if sysbox-cri reserved one)
 * @param ociHooks the container runs under an unmodified runtime with sysbox's OCI hooks: its rootfs
 *                 is left as the runtime mounts it, and its own mappings must overlap no other container's
 * @param joinedUsernsPid the process whose user namespace the container joins, its mappings read from it; 0: none
 */
public record Preparation(String id, Path rootfs, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                          List<BindSource> bindMounts, List<String> skipUidShift, long watchPid,
                          Path runtimeStateDir, Path runtimePrivateDir, Optional<PodName> pod, boolean ociHooks,
                          long joinedUsernsPid) {
    public Preparation {
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        bindMounts = List.copyOf(bindMounts);
        skipUidShift = List.copyOf(skipUidShift);
    }

    /** A bind mount of the spec, at INDEX of its mounts, whose source the manager may idmap. */
    public record BindSource(int index, Path source, String destination, List<String> options) {
        public BindSource {
            options = List.copyOf(options);
        }
    }

    /** A pod as the CRI names it: uid, or namespace and name. */
    public record PodName(String uid, String namespace, String name) {}
}
