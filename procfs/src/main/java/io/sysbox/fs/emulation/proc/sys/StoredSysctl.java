package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.file.WritableFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A sysctl whose value a container reads from its own store (SPEC §6): the first read takes
 * the host's value, later reads what the container wrote. The subclasses differ in what a
 * write does beyond the store: nothing ({@link PerContainerSysctl}), or raising the host's
 * value ({@link RaiseOnlySysctl}).
 */
public abstract sealed class StoredSysctl implements WritableFile permits PerContainerSysctl, RaiseOnlySysctl {
    /** In the container's tree ("proc/sys/kernel/panic"): the value's key in the container's store. */
    protected final String path;
    /** The host's file the first value is read from; its mode is the node's. */
    protected final HostSysctlFile host;
    /** The values a write may give. */
    protected final SysctlSyntax syntax;
    private final int permissions;

    protected StoredSysctl(String path, Path host, SysctlSyntax syntax) throws IOException {
        this.path = path;
        this.host = new HostSysctlFile(host);
        this.syntax = syntax;
        this.permissions = this.host.permissions();
    }

    @Override
    public final String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public final int permissions() {
        return permissions;
    }

    @Override
    public final byte[] render(ContainerState container) throws FuseException {
        return container.sysctls().get(path, host::read).render();
    }
}
