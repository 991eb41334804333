package io.sysbox.setup.resources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Who allocates a container's ids and shifts its files: sysbox-mgr (called in-process when the
 * manager runs the setup, through its channel otherwise), or nobody (--no-sysbox-mgr).
 */
public interface ContainerResources {
    Prepared prepare(Preparation request) throws IOException;

    void release(String id) throws IOException;

    /** Whether delete must call release (recorded at create). */
    boolean managed();

    /**
     * Registers the container with sysbox-fs, when one runs, for its emulated /proc and /sys
     * files; answers what it serves and where (proc/uptime, ...), to bind over the container's
     * own. Released with the container. {@code shareStateWith}: the container whose
     * network namespace it joins (a pod), whose emulation state it shares.
     */
    default Optional<EmulatedTree> emulate(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                   Optional<String> shareStateWith) throws IOException {
        return Optional.empty();
    }

    /**
     * Sets up the network namespace NETNS, which the container joins but its user namespace does
     * not own (a pod's, made by CNI), from the host's side: writes its net.* SYSCTLS and answers a
     * sysfs of it, for the spec to bind at /sys; removed at release. Empty when nobody can (no
     * manager): the engine then mounts sysfs and writes the sysctls itself.
     */
    default Optional<Path> foreignNetwork(String id, Path netns, Map<String, String> sysctls) throws IOException {
        return Optional.empty();
    }

    /** The user and network namespace files a CRI sandbox joins after its pod network was handed over. */
    record PodNamespaces(Path userns, Path netns) {}

    /**
     * For a CRI pod sandbox whose network namespace RUNTIME_NETNS (made by CNI) belongs to the
     * host's user namespace: a user namespace with the sandbox's mapping and a network namespace it
     * owns, with the CNI's interfaces moved in and bound over RUNTIME_NETNS, so the pod's other
     * containers and the CRI runtime find it by the same path; undone at release. Empty when
     * nobody can (no manager): the sandbox then joins RUNTIME_NETNS itself.
     */
    default Optional<PodNamespaces> handOverPodNetwork(String id, Path runtimeNetns) throws IOException {
        return Optional.empty();
    }
}
