package io.sysbox.setup.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The capabilities the runtime itself holds, as OCI names in bit order. "All capabilities" for a
 * system container's root means these: asking the low-level runtime for one outside the runtime's
 * bounding set would make it fail (SPEC §10: CAP_SYS_RESOURCE is absent on some hosts), so the set
 * is read from the kernel, never assumed.
 */
public record RuntimeCapabilities(List<String> names) {

    public RuntimeCapabilities {
        names = List.copyOf(names);
    }

    /** CapEff ∩ CapBnd of this process, limited to bits up to /proc/sys/kernel/cap_last_cap. */
    public static RuntimeCapabilities ofThisProcess() {
        return ofProcess("self");
    }

    /** The capabilities of a runtime process (the sysbox-runc that becomes the engine). */
    public static RuntimeCapabilities ofProcess(String pid) {
        try {
            String status = String.join("\n", Files.readAllLines(Path.of("/proc", pid, "status")));
            // Not Files.readString: it reads a zero-sized file one byte first, and a sysctl file
            // answers a read at a non-zero offset with end-of-file ("40" would read as "4").
            int lastCap = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().strip());
            return fromStatus(status, lastCap);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the capabilities of process " + pid + " from /proc", e);
        }
    }

    /** The capabilities of the process whose /proc/PID/status text is STATUS. */
    public static RuntimeCapabilities fromStatus(String status, int lastCap) {
        long mask = mask(status, "CapEff") & mask(status, "CapBnd");
        List<String> names = new ArrayList<>();
        int last = Math.min(lastCap, CapabilityNames.lastKnown());
        for (int bit = 0; bit <= last; bit++) {
            if ((mask & (1L << bit)) != 0) {
                CapabilityNames.of(bit).ifPresent(names::add);
            }
        }
        return new RuntimeCapabilities(names);
    }

    /** The hexadecimal mask of a "Cap…:" line of /proc/PID/status. */
    public static long mask(String status, String field) {
        String prefix = field + ":";
        for (String line : status.split("\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseUnsignedLong(line.substring(prefix.length()).strip(), 16);
            }
        }
        throw new IllegalArgumentException("no " + field + " line in the process status text");
    }
}
