package io.sysbox.setup.spec;

import io.sysbox.common.oci.IdMapping;

import java.util.Map;
import java.util.Optional;

/**
 * What the conversion needs besides the spec, gathered by the CLI from the manager's Prepare answer
 * and from this host.
 *
 * @param uidMapping        the container's uid range (allocated, honoured from the spec, or its pod owner's)
 * @param gidMapping        the container's gid range
 * @param rootfs            absolute path of the idmapped rootfs prepared by the manager
 * @param mountSources      index in the spec's mounts array → replacement source (idmapped clone)
 * @param capabilities      what the runtime holds (see {@link RuntimeCapabilities})
 * @param honorCaps         effective value: SYSBOX_HONOR_CAPS if set, else the manager's default
 * @param syscontMode       effective value: SYSBOX_SYSCONT_MODE if set, else the manager's default
 * @param cgroupsPath       the container's cgroup, as the low-level runtime expects it
 * @param userNamespacePath the user namespace to join (pod or --net=container:X owner), empty for a new one
 * @param libModulesDir     /lib/modules/$(uname -r) when it exists on the host
 * @param specialMounts     the manager's host-backed directories (destination to source)
 * @param networkSysfs      a sysfs of the network namespace the container joins without owning it,
 *                          made by the manager, bound at /sys instead of a sysfs mount
 */
public record ConversionInputs(IdMapping uidMapping, IdMapping gidMapping, String rootfs,
                               Map<Integer, String> mountSources, RuntimeCapabilities capabilities,
                               boolean honorCaps, boolean syscontMode, String cgroupsPath,
                               Optional<String> userNamespacePath, Optional<String> libModulesDir,
                               Map<String, String> specialMounts, Optional<String> networkSysfs) {

    public ConversionInputs {
        mountSources = Map.copyOf(mountSources);
        specialMounts = Map.copyOf(specialMounts);
        if (!rootfs.startsWith("/")) {
            throw new IllegalArgumentException("rootfs must be an absolute path, got " + rootfs);
        }
    }

    /** Without a network sysfs of the manager's (the container's own network namespace). */
    public ConversionInputs(IdMapping uidMapping, IdMapping gidMapping, String rootfs,
                            Map<Integer, String> mountSources, RuntimeCapabilities capabilities,
                            boolean honorCaps, boolean syscontMode, String cgroupsPath,
                            Optional<String> userNamespacePath, Optional<String> libModulesDir,
                            Map<String, String> specialMounts) {
        this(uidMapping, gidMapping, rootfs, mountSources, capabilities, honorCaps, syscontMode, cgroupsPath,
                userNamespacePath, libModulesDir, specialMounts, Optional.empty());
    }

    /** Without special directories (a container that needs none, or a plain one). */
    public ConversionInputs(IdMapping uidMapping, IdMapping gidMapping, String rootfs,
                            Map<Integer, String> mountSources, RuntimeCapabilities capabilities,
                            boolean honorCaps, boolean syscontMode, String cgroupsPath,
                            Optional<String> userNamespacePath, Optional<String> libModulesDir) {
        this(uidMapping, gidMapping, rootfs, mountSources, capabilities, honorCaps, syscontMode, cgroupsPath,
                userNamespacePath, libModulesDir, Map.of());
    }
}
