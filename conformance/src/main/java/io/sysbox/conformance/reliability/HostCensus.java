package io.sysbox.conformance.reliability;

import io.sysbox.conformance.CgroupHierarchy;
import io.sysbox.conformance.CgroupScope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the host holds that a container could leak, counted before and after a run: mount lines,
 * network devices of the host's namespace, processes below the suite's cgroup prefix and below
 * the daemons the suite started.
 *
 * @param mounts     mounts below the suite's temp tree (mount point, root, type, source; other work on the
 *                   machine mounts elsewhere)
 * @param netDevices names in /sys/class/net
 * @param processes  pids in the suite's cgroups plus the daemons' descendants
 */
public record HostCensus(List<String> mounts, List<String> netDevices, int processes) {

    public static HostCensus take(Path work, CgroupScope cgroups, List<Long> daemons) {
        List<String> mounts;
        try {
            // Mount point, root, type, source: what identifies a mount to a reader.
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")).filter(f -> f[4].startsWith(work.toString())).map(f -> f[4] + " " + f[3] + " " + String.join(" ", List.of(f).subList(f.length - 3, f.length - 1)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HostCensus(mounts, hostNetDevices(), processesUnder(cgroups) + descendants(daemons));
    }

    private static List<String> hostNetDevices() {
        try (Stream<Path> devices = Files.list(Path.of("/sys/class/net"))) {
            return devices.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Distinct pids in any cgroup.procs below the prefix, in every hierarchy. */
    private static int processesUnder(CgroupScope cgroups) {
        TreeSet<String> pids = new TreeSet<>();
        for (CgroupHierarchy h : cgroups.hierarchies()) {
            Path prefix = h.resolve(cgroups.name());
            if (!Files.isDirectory(prefix)) continue;
            try (Stream<Path> walk = Files.walk(prefix)) {
                for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    try {
                        for (String line : Files.readAllLines(procs)) if (!line.isBlank()) pids.add(line.strip());
                    } catch (IOException gone) {
                        // removed while walking
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // a cgroup removed while walking: counted at the next census
            }
        }
        return pids.size();
    }

    private static int descendants(List<Long> daemons) {
        int count = 0;
        for (long pid : daemons) count += ProcessHandle.of(pid).map(p -> p.descendants().count()).orElse(0L).intValue();
        return count;
    }

    /** What AFTER holds more than this census: one line each, empty when nothing grew. */
    public List<String> growthTo(HostCensus after) {
        List<String> growth = new ArrayList<>();
        List<String> newMounts = new ArrayList<>(after.mounts);
        for (String m : mounts) newMounts.remove(m);
        if (!newMounts.isEmpty()) growth.add("mounts: " + newMounts);
        List<String> newDevices = new ArrayList<>(after.netDevices);
        newDevices.removeAll(netDevices);
        if (!newDevices.isEmpty()) growth.add("network devices: " + newDevices);
        if (after.processes > processes) growth.add("processes: " + processes + " before, " + after.processes + " after");
        return growth;
    }
}
