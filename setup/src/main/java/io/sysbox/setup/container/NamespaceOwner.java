package io.sysbox.setup.container;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.Namespaces;
import io.sysbox.setup.spec.NamespaceId;

import java.io.IOException;
import java.nio.file.Path;

/** The user namespace that owns a namespace (the kernel's NS_GET_USERNS), named by its identity. */
final class NamespaceOwner {
    private NamespaceOwner() {}

    /** The owner of the namespace whose file (/proc/PID/ns/KIND, or a bind of one) is NAMESPACE. */
    static NamespaceId of(Path namespace) throws IOException {
        int ns;
        try {
            ns = FileDescriptors.openReadOnly(namespace.toString());
        } catch (ErrnoException e) {
            throw new IOException("namespace " + namespace + ": " + e.getMessage(), e);
        }
        try {
            int owner = Namespaces.openOwner(ns, namespace.toString());
            try {
                return NamespaceId.of(Path.of("/proc/self/fd/" + owner));
            } finally {
                FileDescriptors.close(owner);
            }
        } catch (ErrnoException e) {
            throw new IOException("cannot tell who owns namespace " + namespace + ": " + e.getMessage(), e);
        } finally {
            FileDescriptors.close(ns);
        }
    }
}
