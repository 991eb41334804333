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
 * @param mounts     lines of /proc/self/mountinfo
 * @param netDevices names in /sys/class/net
 * @param processes  pids in the suite's cgroups plus the daemons' descendants
 */
public record HostCensus(int mounts, List<String> netDevices, int processes) {

    public static HostCensus take(CgroupScope cgroups, List<Long> daemons) {
        int mounts;
        try {
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).size();
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
        if (after.mounts > mounts) growth.add("mounts: " + mounts + " before, " + after.mounts + " after");
        List<String> newDevices = new ArrayList<>(after.netDevices);
        newDevices.removeAll(netDevices);
        if (!newDevices.isEmpty()) growth.add("network devices: " + newDevices);
        if (after.processes > processes) growth.add("processes: " + processes + " before, " + after.processes + " after");
        return growth;
    }
}
