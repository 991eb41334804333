package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A sysctl whose value each container keeps for itself (SPEC §6's V): its first read takes the
 * host's value then, its writes stay in the container and never reach the host. For the kernel
 * knobs that are global on the host, which a container's root could not write at all.
 */
public final class PerContainerSysctl extends StoredSysctl {
    /**
     * @param path   in the container's tree ("proc/sys/kernel/panic"): its key in the container's store
     * @param host   the host's file the first value is read from; its mode is the node's
     * @param syntax the values a write may give
     */
    public PerContainerSysctl(String path, Path host, SysctlSyntax syntax) throws IOException {
        super(path, host, syntax);
    }

    @Override
    public void write(ContainerState container, String value) throws FuseException {
        List<Long> given = syntax.parse(value, path);
        container.sysctls().replaceLeading(path, host::read, given);
    }
}
