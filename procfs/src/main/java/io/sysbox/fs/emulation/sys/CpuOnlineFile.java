package io.sysbox.fs.emulation.sys;

import io.sysbox.fs.emulation.cgroup.CpuLimits;
import io.sysbox.fs.emulation.cgroup.CpuList;
import io.sysbox.fs.emulation.cgroup.CpuView;
import io.sysbox.fs.emulation.file.HostDerivedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * sys/devices/system/cpu/online: "0-(n-1)" ("0" for one CPU) for the n CPUs the container
 * may use ({@link CpuLimits#visible} of the host's online CPUs), numbered as its cpuinfo and
 * stat number them. A container registered without cpuset or cpu cgroups sees the host's file.
 */
public final class CpuOnlineFile extends HostDerivedFile {
    /** Keeps {@code hostOnline} (normally /sys/devices/system/cpu/online) open until closed. */
    public CpuOnlineFile(Path hostOnline) throws IOException {
        super("online", hostOnline);
    }

    @Override
    protected String view(ContainerState container, String host) throws FuseException {
        Optional<CpuLimits> limits = CpuView.limits(container, "cpu/online");
        if (limits.isEmpty()) return host;
        try {
            return render(CpuList.parse(host, hostPath().toString()), limits.get());
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, e.getMessage());
        }
    }

    /** The container's file from the host's online CPUs. */
    static String render(CpuList hostOnline, CpuLimits limits) {
        return CpuList.firstN(limits.visible(hostOnline.cpus()).size()).format() + "\n";
    }
}
