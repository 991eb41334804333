package io.sysbox.fs.emulation;

import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * proc/loadavg: the host's, for now. A container's own load averages need per-container
 * process accounting (lxcfs samples every task of the container's cgroup every five seconds
 * and decays the counts as the kernel does), and running/total tasks and the last pid are the
 * host's too; emulated here so that the path exists and can be made per-container in one place.
 */
public final class LoadavgFile implements EmulatedFile {
    private final RereadableFile hostLoadavg;

    /** Keeps {@code hostLoadavg} (normally /proc/loadavg) open until closed. */
    public LoadavgFile(Path hostLoadavg) throws IOException {
        this.hostLoadavg = new RereadableFile(hostLoadavg);
    }

    @Override
    public String name() {
        return "loadavg";
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public byte[] render(ContainerState container) throws FuseException {
        try {
            return hostLoadavg.read().getBytes(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "reading " + hostLoadavg.path() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        hostLoadavg.close();
    }
}
