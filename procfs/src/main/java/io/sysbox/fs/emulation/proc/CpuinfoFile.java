package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.CpuLimits;
import io.sysbox.fs.emulation.cgroup.CpuView;
import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.RereadableFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * proc/cpuinfo as the container should see it: the host's blocks of the CPUs it may use
 * ({@link CpuLimits#visible}), renumbered from 0 so that "processor" counts 0..n-1 as on a
 * machine with n CPUs. Each block is otherwise the host's (model, flags, and the topology
 * lines too, as lxcfs leaves them). A container registered without cpuset or cpu cgroups
 * sees the host's file.
 */
public final class CpuinfoFile implements EmulatedFile {
    private final Path hostCpuinfo;

    /**
     * @param hostCpuinfo normally /proc/cpuinfo. Opened per read, not kept open: it is one
     *                    seq_file record per CPU, so a positional read from 0 can stop short
     *                    of the end (see {@link RereadableFile})
     */
    public CpuinfoFile(Path hostCpuinfo) {
        this.hostCpuinfo = hostCpuinfo;
    }

    @Override
    public String name() {
        return "cpuinfo";
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public byte[] render(ContainerState container) throws FuseException {
        byte[] host;
        try {
            host = Files.readAllBytes(hostCpuinfo);
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "reading " + hostCpuinfo + ": " + e.getMessage());
        }
        Optional<CpuLimits> limits = CpuView.limits(container, name());
        if (limits.isEmpty()) return host;
        return render(new String(host, StandardCharsets.ISO_8859_1), limits.get()).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The container's cpuinfo from the host's text. Blocks without a processor line (other architectures' trailers) pass through. */
    static String render(String host, CpuLimits limits) {
        // Blocks are separated by an empty line; the last one is followed by it too.
        String[] blocks = host.split("\n\n", -1);
        List<Integer> hostCpus = new ArrayList<>();
        for (String block : blocks) {
            int cpu = processor(block);
            if (cpu >= 0) hostCpus.add(cpu);
        }
        List<Integer> visible = limits.visible(hostCpus.stream().sorted().toList());
        Map<Integer, Integer> renumbered = new HashMap<>();
        for (int i = 0; i < visible.size(); i++) renumbered.put(visible.get(i), i);
        List<String> kept = new ArrayList<>();
        for (String block : blocks) {
            int cpu = processor(block);
            if (cpu < 0) {
                kept.add(block);
            } else if (renumbered.containsKey(cpu)) {
                int colon = block.indexOf(':');
                int end = block.indexOf('\n');
                kept.add(block.substring(0, colon + 1) + " " + renumbered.get(cpu) + (end < 0 ? "" : block.substring(end)));
            }
        }
        return String.join("\n\n", kept);
    }

    /** The number on the block's first line if it is "processor\t: N" (x86, arm64...); -1 otherwise. */
    private static int processor(String block) {
        if (!block.startsWith("processor")) return -1;
        int end = block.indexOf('\n');
        String line = end < 0 ? block : block.substring(0, end);
        int colon = line.indexOf(':');
        if (colon < 0 || !line.substring("processor".length(), colon).isBlank()) return -1;
        try {
            return Integer.parseInt(line.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
