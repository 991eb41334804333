package io.sysbox.fs.emulation;

import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A sysctl whose value each container keeps for itself (SPEC §6's V): its first read takes the
 * host's value then, its writes stay in the container and never reach the host. For the kernel
 * knobs that are global on the host, which a container's root could not write at all.
 */
public final class PerContainerSysctl implements WritableFile {
    private final String path;
    private final HostSysctlFile host;
    private final SysctlSyntax syntax;
    private final int permissions;

    /**
     * @param path   in the container's tree ("proc/sys/kernel/panic"): its key in the container's store
     * @param host   the host's file the first value is read from; its mode is the node's
     * @param syntax the values a write may give
     */
    public PerContainerSysctl(String path, Path host, SysctlSyntax syntax) throws IOException {
        this.path = path;
        this.host = new HostSysctlFile(host);
        this.syntax = syntax;
        this.permissions = this.host.permissions();
    }

    @Override
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public int permissions() {
        return permissions;
    }

    @Override
    public byte[] render(ContainerState container) throws FuseException {
        return container.sysctls().get(path, host::read).render();
    }

    @Override
    public void write(ContainerState container, String value) throws FuseException {
        List<Long> given = syntax.parse(value, path);
        container.sysctls().replaceLeading(path, host::read, given);
    }
}
