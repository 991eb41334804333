package io.sysbox.fs.emulation.cgroup;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.util.Optional;

/** The CPU limits the CPU files (cpuinfo, stat, cpu/online) render a container's view from. */
public final class CpuView {
    private CpuView() {}

    /**
     * The container's limits now; empty when it was registered without cpuset or cpu cgroups,
     * and the file then shows the host's view.
     *
     * @param file the emulated file asking, for the error
     */
    public static Optional<CpuLimits> limits(ContainerState container, String file) throws FuseException {
        Optional<CpuCgroupReader> cpu = container.cpu();
        if (cpu.isEmpty()) return Optional.empty();
        try {
            return Optional.of(cpu.get().read());
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, file + " of container " + container.id() + ": " + e.getMessage());
        }
    }
}
