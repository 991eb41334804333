package io.sysbox.fs.emulation;

import io.sysbox.common.sys.BootClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Which emulated files each container's directory holds; closing it closes the host files they keep open. */
public record ContainerLayout(List<EmulatedFile> proc) implements AutoCloseable {
    public ContainerLayout {
        proc = List.copyOf(proc);
    }

    /** proc/uptime, proc/swaps and proc/meminfo from the host's clock and files. */
    public static ContainerLayout standard() throws IOException {
        return new ContainerLayout(List.of(new UptimeFile(BootClock::nanos), new SwapsFile(),
                new MeminfoFile(Path.of("/proc/meminfo"))));
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (EmulatedFile file : proc) {
            try {
                file.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) throw failure;
    }
}
