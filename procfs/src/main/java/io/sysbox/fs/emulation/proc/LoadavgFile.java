package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.file.HostDerivedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.io.IOException;
import java.nio.file.Path;

/**
 * proc/loadavg: the host's, for now. A container's own load averages need per-container
 * process accounting (lxcfs samples every task of the container's cgroup every five seconds
 * and decays the counts as the kernel does), and running/total tasks and the last pid are the
 * host's too; emulated here so that the path exists and can be made per-container in one place.
 */
public final class LoadavgFile extends HostDerivedFile {
    /** Keeps {@code hostLoadavg} (normally /proc/loadavg) open until closed. */
    public LoadavgFile(Path hostLoadavg) throws IOException {
        super("loadavg", hostLoadavg);
    }

    @Override
    protected String view(ContainerState container, String host) {
        return host;
    }
}
