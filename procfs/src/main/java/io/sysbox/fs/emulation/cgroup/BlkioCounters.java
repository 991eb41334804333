package io.sysbox.fs.emulation.cgroup;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One cgroup v1 blkio statistics file (blkio.io_serviced_recursive and its kin): a count per
 * device and operation, from lines "MAJOR:MINOR Operation value" (Operation is Read, Write,
 * Sync, Async, Discard or Total). The closing "Total n" line, summed over devices, is left out.
 */
public record BlkioCounters(Map<String, Long> byDeviceAndOperation) {
    /** A file the cgroup does not have: every count 0. */
    public static final BlkioCounters NONE = new BlkioCounters(Map.of());

    public BlkioCounters {
        byDeviceAndOperation = Map.copyOf(byDeviceAndOperation);
    }

    /** The count for device {@code major:minor} and {@code operation}, 0 if the file has none. */
    public long of(int major, int minor, String operation) {
        return byDeviceAndOperation.getOrDefault(major + ":" + minor + " " + operation, 0L);
    }

    /** {@code where} names the file in errors. */
    public static BlkioCounters parse(String text, String where) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) continue; // "Total n", or an empty last line
            if (f[0].indexOf(':') < 1) {
                throw new IOException(where + ": '" + line + "' is not 'MAJOR:MINOR Operation count'");
            }
            try {
                counts.put(f[0] + " " + f[1], Long.parseLong(f[2]));
            } catch (NumberFormatException e) {
                throw new IOException(where + ": '" + line + "' has no number of " + f[1] + " operations");
            }
        }
        return new BlkioCounters(counts);
    }
}
