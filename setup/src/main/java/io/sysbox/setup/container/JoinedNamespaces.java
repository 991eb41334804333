package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.HostNamespaces;
import io.sysbox.setup.spec.NamespaceId;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses, with a message saying why, an ipc, uts, mount or pid namespace the converted spec joins
 * by path that the container's user namespace does not own. The engine joins such a namespace
 * (as host root, before it makes the new user namespace, or after joining the pod's), and then the
 * container's root, who has privileges only over what its user namespace owns, fails deep in the
 * engine with EPERM: mqueue, the hostname, every mount, /proc. The network namespace is not
 * checked here: the setup handles one the container does not own (ForeignNetwork, EnteredNetwork).
 */
final class JoinedNamespaces {
    /** What the container's root could not do in a namespace of that type it does not own. */
    private static final Map<String, String> NEEDS = Map.of(
            "ipc", "mount /dev/mqueue or set the kernel.shm*, kernel.msg* and kernel.sem sysctls in it",
            "uts", "set the hostname in it",
            "mount", "mount anything in it, its root filesystem and /proc included",
            "pid", "mount /proc for it");

    private JoinedNamespaces() {}

    /** SPEC: the converted spec (its user entry final); HOST: the runtime's namespaces. */
    static void checkOwned(Spec spec, HostNamespaces host) throws InvalidSpecException, IOException {
        Optional<Path> userns = spec.namespaces().stream()
                .filter(ns -> ns.type().equals("user") && ns.joinsExisting())
                .map(ns -> Path.of(ns.path())).findFirst();
        Optional<NamespaceId> container = userns.isEmpty() ? Optional.empty() : Optional.of(NamespaceId.of(userns.get()));
        for (Namespace ns : spec.namespaces()) {
            if (!ns.joinsExisting() || !NEEDS.containsKey(ns.type())) continue;
            NamespaceId owner = NamespaceOwner.of(Path.of(ns.path()));
            if (container.isPresent() && container.get().equals(owner)) continue;
            String whose = host.of("user").filter(owner::equals).isPresent()
                    ? "the host's user namespace" : "a user namespace that is not the container's";
            throw new InvalidSpecException("linux.namespaces: the " + ns.type() + " namespace " + ns.path()
                    + " belongs to " + whose + (container.isEmpty() ? ", and the container gets a user namespace of its own" : "")
                    + ": the container's root would have no privileges there and could not " + NEEDS.get(ns.type())
                    + "; a system container joins the " + ns.type() + " namespace only of a container whose user namespace"
                    + " it shares (join that container's network namespace too, e.g. --net=container:X)");
        }
    }
}
