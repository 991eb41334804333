package io.sysbox.fs.emulation.cgroup;

import java.io.IOException;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A set of CPU numbers, in ascending order, as the kernel writes them in cpuset.cpus and
 * /sys/devices/system/cpu/online: comma-separated numbers and ranges ("0-3,8,10-11").
 */
public record CpuList(List<Integer> cpus) {
    public CpuList {
        cpus = List.copyOf(new TreeSet<>(cpus));
    }

    /** CPUs 0 to n-1: what a container with n CPUs sees after renumbering. */
    public static CpuList firstN(int n) {
        return new CpuList(IntStream.range(0, n).boxed().toList());
    }

    /** From the kernel's list format; {@code where} names the file in the error. */
    public static CpuList parse(String text, String where) throws IOException {
        String list = text.strip();
        if (list.isEmpty()) return new CpuList(List.of());
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1));
                if (first < 0 || last < first) throw new NumberFormatException(part);
                for (int cpu = first; cpu <= last; cpu++) cpus.add(cpu);
            } catch (NumberFormatException e) {
                throw new IOException(where + " holds '" + list + "' where a CPU list such as 0-3,8 was expected");
            }
        }
        return new CpuList(List.copyOf(cpus));
    }

    public int size() {
        return cpus.size();
    }

    public boolean contains(int cpu) {
        return cpus.contains(cpu);
    }

    /** The kernel's format: runs of consecutive CPUs as ranges; empty for no CPUs. */
    public String format() {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < cpus.size()) {
            int first = cpus.get(i), last = first;
            while (i + 1 < cpus.size() && cpus.get(i + 1) == last + 1) last = cpus.get(++i);
            if (!out.isEmpty()) out.append(',');
            out.append(first);
            if (last > first) out.append('-').append(last);
            i++;
        }
        return out.toString();
    }
}
