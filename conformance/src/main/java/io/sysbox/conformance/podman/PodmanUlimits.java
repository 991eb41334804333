package io.sysbox.conformance.podman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The RLIMIT_NOFILE and RLIMIT_NPROC a container of a {@link PrivatePodman} can be given on a
 * host whose root lacks CAP_SYS_RESOURCE: no higher than the hard limits podman itself runs
 * with, which its children (conmon, the runtime, the container's init) inherit. Podman's own
 * defaults (1048576 for both) exceed them, and raising a hard limit needs that capability.
 *
 * <p>NOFILE: the hard limit of this process (podman inherits it; the JVM and podman raise only
 * their soft limit). NPROC: podman 4.3 sets its own RLIMIT_NPROC to kernel.pid_max at start
 * (containers/common's default ulimits), which lowers it when pid_max is the smaller, so the
 * smaller of the two.
 */
record PodmanUlimits(long nofile, long nproc) {
    private static final Path LIMITS = Path.of("/proc/self/limits");
    private static final Path PID_MAX = Path.of("/proc/sys/kernel/pid_max");

    static PodmanUlimits ofThisProcess() throws IOException {
        List<String> limits = Files.readAllLines(LIMITS);
        // Not Files.readString: it reads a file of size 0 in small steps, and a sysctl file answers
        // nothing at an offset past 0, so "32768" would come back as "3".
        long pidMax = Long.parseLong(Files.readAllLines(PID_MAX).getFirst().strip());
        return new PodmanUlimits(hardLimit(limits, "Max open files"), Math.min(hardLimit(limits, "Max processes"), pidMax));
    }

    /** containers.conf's default_ulimits entries: soft = hard. */
    List<String> defaultUlimits() {
        return List.of("nofile=" + nofile + ":" + nofile, "nproc=" + nproc + ":" + nproc);
    }

    /** The hard limit of the /proc/PID/limits line NAME ("unlimited" as Long.MAX_VALUE). */
    static long hardLimit(List<String> limits, String name) {
        for (String line : limits) {
            if (!line.startsWith(name + " ")) continue;
            String[] fields = line.substring(name.length()).strip().split("\\s+");
            return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
        }
        throw new IllegalStateException("no \"" + name + "\" line in " + LIMITS);
    }
}
