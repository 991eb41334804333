package io.sysbox.fs.emulation;

import io.sysbox.common.sys.BootClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which directories and emulated files each container's directory holds; closing it closes
 * the host files they keep open.
 *
 * @param directories each after the directory holding it
 */
public record ContainerLayout(List<EmulatedDirectory> directories) implements AutoCloseable {
    public ContainerLayout {
        directories = List.copyOf(directories);
        Set<String> declared = new HashSet<>(Set.of(""));
        for (EmulatedDirectory directory : directories) {
            if (!declared.contains(directory.parent())) {
                throw new IllegalArgumentException("emulated directory " + directory.path() + " comes before its parent "
                        + directory.parent() + ": list every directory, parents first");
            }
            if (!declared.add(directory.path())) {
                throw new IllegalArgumentException("emulated directory " + directory.path() + " is listed twice");
            }
        }
    }

    /**
     * proc/{uptime,swaps,meminfo,cpuinfo,stat,loadavg} and sys/devices/system/cpu/online, from
     * the host's clock and files; the directories have the host's modes.
     */
    public static ContainerLayout standard() throws IOException {
        List<EmulatedFile> opened = new ArrayList<>();
        try {
            opened.add(new UptimeFile(BootClock::nanos));
            opened.add(new SwapsFile());
            opened.add(new MeminfoFile(Path.of("/proc/meminfo")));
            opened.add(new CpuinfoFile(Path.of("/proc/cpuinfo")));
            opened.add(new StatFile(Path.of("/proc/stat")));
            opened.add(new LoadavgFile(Path.of("/proc/loadavg")));
            CpuOnlineFile online = new CpuOnlineFile(Path.of("/sys/devices/system/cpu/online"));
            List<EmulatedFile> proc = List.copyOf(opened);
            opened.add(online);
            return new ContainerLayout(List.of(
                    new EmulatedDirectory("proc", 0555, proc),
                    new EmulatedDirectory("sys", 0555, List.of()),
                    new EmulatedDirectory("sys/devices", 0755, List.of()),
                    new EmulatedDirectory("sys/devices/system", 0755, List.of()),
                    new EmulatedDirectory("sys/devices/system/cpu", 0755, List.of(online))));
        } catch (IOException | RuntimeException e) {
            for (EmulatedFile file : opened) {
                try {
                    file.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Every emulated file, in directory order. */
    public List<EmulatedFile> files() {
        return directories.stream().flatMap(d -> d.files().stream()).toList();
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (EmulatedFile file : files()) {
            try {
                file.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) throw failure;
    }
}
