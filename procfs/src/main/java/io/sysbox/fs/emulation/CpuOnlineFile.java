package io.sysbox.fs.emulation;

import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * sys/devices/system/cpu/online: "0-(n-1)" ("0" for one CPU) for the n CPUs the container
 * may use ({@link CpuLimits#visible} of the host's online CPUs), numbered as its cpuinfo and
 * stat number them. A container registered without cpuset or cpu cgroups sees the host's file.
 */
public final class CpuOnlineFile implements EmulatedFile {
    private final RereadableFile hostOnline;

    /** Keeps {@code hostOnline} (normally /sys/devices/system/cpu/online) open until closed. */
    public CpuOnlineFile(Path hostOnline) throws IOException {
        this.hostOnline = new RereadableFile(hostOnline);
    }

    @Override
    public String name() {
        return "online";
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public byte[] render(ContainerState container) throws FuseException {
        String host;
        try {
            host = hostOnline.read();
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "reading " + hostOnline.path() + ": " + e.getMessage());
        }
        Optional<CpuLimits> limits = CpuView.limits(container, "cpu/online");
        if (limits.isEmpty()) return host.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return render(CpuList.parse(host, hostOnline.path().toString()), limits.get()).getBytes(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        hostOnline.close();
    }

    /** The container's file from the host's online CPUs. */
    static String render(CpuList hostOnline, CpuLimits limits) {
        return CpuList.firstN(limits.visible(hostOnline.cpus()).size()).format() + "\n";
    }
}
