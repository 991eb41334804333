package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.CpuLimits;
import io.sysbox.fs.emulation.cgroup.CpuView;
import io.sysbox.fs.emulation.file.HostDerivedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * proc/stat as the container should see it: one {@code cpuN} line per CPU it may use
 * ({@link CpuLimits#visible}), renumbered from 0 and carrying the host's times of that CPU,
 * and a {@code cpu} line that is their sum, so the total and the per-CPU lines always agree.
 * The other lines (intr, ctxt, btime, processes, procs_running, procs_blocked, softirq) are
 * the host's. lxcfs computes the times from cpuacct usage instead; the host's lines of the
 * container's CPUs are what a pinned container's tools (top, mpstat) expect to move with its load.
 * A container registered without cpuset or cpu cgroups sees the host's file.
 */
public final class StatFile extends HostDerivedFile {
    /** Keeps {@code hostStat} (normally /proc/stat) open until closed. */
    public StatFile(Path hostStat) throws IOException {
        super("stat", hostStat);
    }

    @Override
    protected String view(ContainerState container, String host) throws FuseException {
        Optional<CpuLimits> limits = CpuView.limits(container, name());
        if (limits.isEmpty()) return host;
        return render(host, limits.get());
    }

    /** The container's stat from the host's text. */
    static String render(String host, CpuLimits limits) {
        List<String> lines = host.lines().toList();
        // Per-CPU lines by host CPU number: the rest of the line after "cpuN".
        TreeMap<Integer, String> perCpu = new TreeMap<>();
        for (String line : lines) {
            int cpu = cpuNumber(line);
            if (cpu >= 0) perCpu.put(cpu, line.substring(line.indexOf(' ')));
        }
        List<Integer> visible = limits.visible(List.copyOf(perCpu.keySet()));
        StringBuilder out = new StringBuilder(host.length());
        boolean cpuLinesWritten = false;
        for (String line : lines) {
            boolean total = line.startsWith("cpu ");
            if (total || cpuNumber(line) >= 0) {
                // The cpu block goes where the host's starts: the total first, then cpu0..cpuN-1.
                if (!cpuLinesWritten) appendCpuLines(out, perCpu, visible);
                cpuLinesWritten = true;
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static void appendCpuLines(StringBuilder out, TreeMap<Integer, String> perCpu, List<Integer> visible) {
        List<long[]> times = new ArrayList<>();
        int columns = 0;
        for (int cpu : visible) {
            long[] values = numbers(perCpu.get(cpu));
            times.add(values);
            columns = Math.max(columns, values.length);
        }
        long[] sum = new long[columns];
        for (long[] values : times) {
            for (int i = 0; i < values.length; i++) sum[i] += values[i];
        }
        // The kernel's layout (fs/proc/stat.c): "cpu" and two spaces, "cpuN" and one, numbers one space apart.
        out.append("cpu ");
        for (long value : sum) out.append(' ').append(value);
        out.append('\n');
        for (int i = 0; i < visible.size(); i++) out.append("cpu").append(i).append(perCpu.get(visible.get(i))).append('\n');
    }

    /** N of a "cpuN ..." line; -1 for any other line (the "cpu " total included). */
    private static int cpuNumber(String line) {
        if (!line.startsWith("cpu")) return -1;
        int space = line.indexOf(' ');
        if (space <= 3) return -1;
        try {
            return Integer.parseInt(line.substring(3, space));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long[] numbers(String fields) {
        String[] parts = fields.strip().split(" +");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                values[i] = 0;
            }
        }
        return values;
    }
}
