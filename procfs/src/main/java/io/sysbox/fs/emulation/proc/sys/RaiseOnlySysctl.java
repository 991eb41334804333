package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A host-wide limit a container may need raised (SPEC §6's MAX): each container keeps the value
 * it wrote, and the host's is raised to it when it is larger, never lowered. A container asking
 * for more file handles or conntrack entries gets them; one asking for fewer cannot take them
 * from the others.
 */
public final class RaiseOnlySysctl extends StoredSysctl {
    /** One per host file, shared by every container: comparing with the host's value and raising it is one step. */
    private final ReentrantLock raising = new ReentrantLock();

    /**
     * @param path   in the container's tree ("proc/sys/fs/file-max"): its key in the container's store
     * @param host   the host's file, read for the first value and raised; its mode is the node's
     * @param syntax one number, within the range the kernel takes (so a raise the kernel would refuse is EINVAL here)
     */
    public RaiseOnlySysctl(String path, Path host, SysctlSyntax syntax) throws IOException {
        if (syntax.count() != 1) throw new IllegalArgumentException(path + ": a raise-only sysctl is one number");
        super(path, host, syntax);
    }

    @Override
    public void write(ContainerState container, String value) throws FuseException {
        SysctlValue wanted = new SysctlValue(syntax.parse(value, path));
        raising.lock();
        try {
            if (wanted.first() > host.read().first()) host.write(wanted);
            container.sysctls().set(path, wanted);
        } finally {
            raising.unlock();
        }
    }
}
