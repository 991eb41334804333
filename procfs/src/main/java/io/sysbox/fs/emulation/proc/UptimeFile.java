package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * proc/uptime: seconds since the container (the first of its pod) started, with two decimals as the kernel prints
 * them. The second column (idle time, summed over CPUs on the host) is the same value: the
 * host's idle time would tell the container about the host.
 */
public final class UptimeFile implements EmulatedFile {
    private final LongSupplier bootClockNanos;

    /** @param bootClockNanos CLOCK_BOOTTIME now, the clock start times are given on */
    public UptimeFile(LongSupplier bootClockNanos) {
        this.bootClockNanos = bootClockNanos;
    }

    @Override
    public String name() {
        return "uptime";
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public byte[] render(ContainerState container) {
        long up = Math.max(0, bootClockNanos.getAsLong() - container.emulation().startBoottimeNanos());
        long centis = up / 10_000_000L;
        String seconds = (centis / 100) + "." + (centis % 100 < 10 ? "0" : "") + (centis % 100);
        return (seconds + " " + seconds + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
