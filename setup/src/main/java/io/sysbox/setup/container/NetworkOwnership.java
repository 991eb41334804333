package io.sysbox.setup.container;

import io.sysbox.setup.spec.NamespaceId;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whether a container that joins an existing user namespace may also join a network namespace
 * through its spec. runc joins the user namespace first, and from inside it the kernel lets
 * setns() into a network namespace only when that user namespace (or a descendant) owns it. A
 * pod's network namespace, made by CNI before the sandbox existed, belongs to the host's user
 * namespace: the pod's containers must instead be started inside it (EnteredNetwork).
 */
final class NetworkOwnership {
    private NetworkOwnership() {}

    /** Whether the user namespace USERNS owns the network namespace NETNS (both namespace files). */
    static boolean ownedBy(Path netns, Path userns) throws IOException {
        return NamespaceOwner.of(netns).equals(NamespaceId.of(userns));
    }
}
