package io.sysbox.fs.emulation.tree;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.WritableFile;
import io.sysbox.fs.emulation.proc.CpuinfoFile;
import io.sysbox.fs.emulation.proc.DiskstatsFile;
import io.sysbox.fs.emulation.proc.LoadavgFile;
import io.sysbox.fs.emulation.proc.MeminfoFile;
import io.sysbox.fs.emulation.proc.StatFile;
import io.sysbox.fs.emulation.proc.SwapsFile;
import io.sysbox.fs.emulation.proc.UptimeFile;
import io.sysbox.fs.emulation.proc.sys.EmulatedSysctls;
import io.sysbox.fs.emulation.proc.sys.PerContainerSysctl;
import io.sysbox.fs.emulation.proc.sys.SysctlSyntax;
import io.sysbox.fs.emulation.sys.CpuOnlineFile;
import io.sysbox.fs.emulation.sys.ProductUuidFile;

import java.io.IOException;
import java.nio.file.Files;
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

    /** The layout of this host: {@link #standard(Path, Path)} of /proc and /sys. */
    public static ContainerLayout standard() throws IOException {
        return standard(Path.of("/proc"), Path.of("/sys"), Path.of("/etc/machine-id"));
    }

    /** {@link #standard(Path, Path, Path)} with the host's /etc/machine-id. */
    public static ContainerLayout standard(Path hostProc, Path hostSys) throws IOException {
        return standard(hostProc, hostSys, Path.of("/etc/machine-id"));
    }

    /**
     * proc/{uptime,swaps,meminfo,cpuinfo,stat,loadavg,diskstats}, sys/devices/system/cpu/online, the
     * sysctls of {@link EmulatedSysctls}, sys/kernel passing the host's through with
     * config, debug, tracing and security empty, sys/devices/virtual passing the host's through
     * with dmi/id/product_uuid the container's own (host or not), and when the host has it
     * sys/module/nf_conntrack/parameters/hashsize; every node with the mode of the host's.
     *
     * @param hostProc  the host's /proc (the files and sysctls emulated from it)
     * @param hostSys   the host's /sys
     * @param machineId the host's machine id file, for a product_uuid where the host has no DMI data
     */
    public static ContainerLayout standard(Path hostProc, Path hostSys, Path machineId) throws IOException {
        LayoutBuilder layout = new LayoutBuilder(hostProc, hostSys);
        try {
            layout.file("proc", new UptimeFile(BootClock::nanos));
            layout.file("proc", new SwapsFile());
            layout.file("proc", new MeminfoFile(hostProc.resolve("meminfo")));
            layout.file("proc", new CpuinfoFile(hostProc.resolve("cpuinfo")));
            layout.file("proc", new StatFile(hostProc.resolve("stat")));
            layout.file("proc", new LoadavgFile(hostProc.resolve("loadavg")));
            layout.file("proc", new DiskstatsFile(hostProc.resolve("diskstats")));
            layout.file("sys/devices/system/cpu", new CpuOnlineFile(hostSys.resolve("devices/system/cpu/online")));
            EmulatedSysctls.addTo(layout, hostProc);
            // sys/kernel and sys/devices/virtual are bound whole: the host's nodes pass through,
            // read-only, except what the container must not see or must see as its own.
            layout.passThrough("sys/kernel");
            // Mount points of configfs, debugfs, tracefs and securityfs, whose host content a
            // container must not see: empty, whether or not the host kernel has them. 0555 is
            // the mode sysfs gives them whatever is mounted there.
            for (String name : List.of("config", "debug", "tracing", "security")) layout.directory("sys/kernel/" + name, 0555);
            layout.passThrough("sys/devices/virtual");
            layout.passThrough("sys/devices/virtual/dmi");
            layout.passThrough("sys/devices/virtual/dmi/id");
            Path productUuid = hostSys.resolve("devices/virtual/dmi/id/product_uuid");
            layout.file("sys/devices/virtual/dmi/id", Files.exists(productUuid) ? new ProductUuidFile(productUuid)
                    : ProductUuidFile.withoutDmi(machineId, hostProc.resolve("sys/kernel/random/boot_id")));
            Path hashsize = hostSys.resolve("module/nf_conntrack/parameters/hashsize");
            if (Files.exists(hashsize)) {
                // The kernel refuses 0 (nf_conntrack_set_hashsize) and reads an unsigned int.
                layout.file("sys/module/nf_conntrack/parameters", new PerContainerSysctl(
                        "sys/module/nf_conntrack/parameters/hashsize", hashsize, SysctlSyntax.range(1, 4294967295L)));
            }
            return layout.build();
        } catch (IOException | RuntimeException e) {
            for (EmulatedFile file : layout.files()) {
                try {
                    file.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * A path each container's directory serves: a directory, or a file, which is also served on
     * the read-only connection when no container can write it (see ContainerRegistry).
     */
    public record Served(String path, boolean directory, boolean readOnly) {}

    /** Everything each container's directory serves, parents before children (Register answers it). */
    public List<Served> served() {
        List<Served> served = new ArrayList<>();
        for (EmulatedDirectory directory : directories) {
            served.add(new Served(directory.path(), true, false));
            for (EmulatedFile file : directory.files()) {
                served.add(new Served(directory.path() + "/" + file.name(), false, !(file instanceof WritableFile)));
            }
        }
        return served;
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
