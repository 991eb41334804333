package io.sysbox.fs.emulation.cgroup;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a container's cgroups allow it of the CPUs at one moment, and which of the host's CPUs
 * it therefore sees. As lxcfs does, a CFS quota counts as ceil(quota / period) CPUs: a
 * container allowed 1.5 CPUs of time can keep two busy half the time each.
 *
 * @param cpuset       the CPUs its cpuset allows; empty when no cpuset cgroup restricts it. An
 *                     empty list counts as no restriction: a v1 cpuset whose cpus are not
 *                     written yet can hold no process, so nobody inside reads through it
 * @param quotaMicros  CPU time allowed per period in microseconds; negative for no quota
 * @param periodMicros the length of the CFS period in microseconds
 */
public record CpuLimits(Optional<CpuList> cpuset, long quotaMicros, long periodMicros) {
    public static final CpuLimits UNLIMITED = new CpuLimits(Optional.empty(), -1, 100_000);

    /** ceil(quota / period), when a quota is set. */
    public OptionalInt quotaCpus() {
        if (quotaMicros <= 0 || periodMicros <= 0) return OptionalInt.empty();
        long cpus = (quotaMicros + periodMicros - 1) / periodMicros;
        return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, cpus));
    }

    /**
     * The host CPUs the container sees, in the order they are renumbered 0..n-1: those of
     * {@code hostCpus} (the online CPUs, ascending) in its cpuset, the first ceil(quota/period)
     * of them when a quota is set.
     */
    public List<Integer> visible(List<Integer> hostCpus) {
        List<Integer> allowed = cpuset.filter(set -> set.size() > 0)
                .map(set -> hostCpus.stream().filter(set::contains).toList()).orElse(hostCpus);
        OptionalInt quota = quotaCpus();
        return quota.isPresent() && quota.getAsInt() < allowed.size() ? allowed.subList(0, quota.getAsInt()) : allowed;
    }
}
