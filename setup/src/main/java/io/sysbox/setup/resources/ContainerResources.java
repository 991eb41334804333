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

    /**
     * The namespace files a CRI sandbox joins after its pod's namespaces were handed over: its
     * user namespace, and by OCI type ("network", "ipc", "uts") the namespaces it owns.
     */
    record PodNamespaces(Path userns, Map<String, Path> namespaces) {
        public PodNamespaces {
            namespaces = Map.copyOf(namespaces);
        }
    }

    /**
     * For a CRI pod sandbox that joins, by path, namespaces the CRI runtime made for the pod in
     * the host's user namespace (JOINED, by OCI type: containerd's CNI network namespace; CRI-O's
     * pinned network, ipc and uts namespaces): a user namespace with the sandbox's mapping and, of
     * each kind, a namespace it owns, bound in place of the runtime's at its file (the CNI's
     * interfaces moved in), so the pod's other containers and the CRI runtime find them by the
     * same paths. Empty when nobody can (no manager): the sandbox then joins the runtime's.
     */
    default Optional<PodNamespaces> handOverPodNamespaces(String id, Map<String, Path> joined) throws IOException {
        return Optional.empty();
    }
}
