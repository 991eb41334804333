package io.sysbox.mgr.idmap;

import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.mgr.idrange.ContainerMapping;

import java.io.IOException;
import java.util.Set;

/**
 * An open file descriptor on a fresh user namespace with a container's mapping: what
 * mount_setattr(MOUNT_ATTR_IDMAP) takes. The namespace has no process left once this
 * object exists; the fd (and any idmapped mount made from it) keeps it alive.
 *
 * The JVM cannot unshare(CLONE_NEWUSER) itself, so a helper makes it (NewNamespaces).
 */
public final class UserNamespaceFile implements AutoCloseable {

    private final int fd;

    private UserNamespaceFile(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    public static UserNamespaceFile create(ContainerMapping mapping) throws IOException {
        return NewNamespaces.with(mapping, Set.of(),
                pid -> new UserNamespaceFile(FileDescriptors.openReadOnly("/proc/" + pid + "/ns/user")));
    }

    @Override
    public void close() {
        FileDescriptors.close(fd);
    }
}
