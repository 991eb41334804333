package io.sysbox.setup.container;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.Namespaces;
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
        int net;
        try {
            net = FileDescriptors.openReadOnly(netns.toString());
        } catch (ErrnoException e) {
            throw new IOException("network namespace " + netns + ": " + e.getMessage(), e);
        }
        try {
            int owner = Namespaces.openOwner(net, netns.toString());
            try {
                return NamespaceId.of(Path.of("/proc/self/fd/" + owner)).equals(NamespaceId.of(userns));
            } finally {
                FileDescriptors.close(owner);
            }
        } catch (ErrnoException e) {
            throw new IOException("cannot tell who owns network namespace " + netns + ": " + e.getMessage(), e);
        } finally {
            FileDescriptors.close(net);
        }
    }
}
