package io.sysbox.fs.emulation.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A cgroup's I/O statistics at one moment, per device, counted over the cgroup and its
 * descendants: what a container's proc/diskstats is computed from. cgroup v2 keeps them in
 * io.stat; cgroup v1's blkio controller as follows.
 * Kernels with the CFQ scheduler (before 5.0) keep them in blkio.io_*_recursive, the files lxcfs
 * reads. Later kernels have only blkio.throttle.io_serviced_recursive and
 * io_service_bytes_recursive, and recent ones (6.18 here) count there only I/O on devices with
 * a throttling rule (a blkio.throttle.*_device limit in any cgroup: blk-throttle starts
 * accounting on a device when its first rule is set); merges and service and wait times are
 * then not kept at all.
 *
 * @param serviced     operations completed
 * @param serviceBytes bytes transferred
 * @param merged       requests merged into others (CFQ only)
 * @param serviceTime  nanoseconds between dispatch and completion (CFQ only)
 * @param waitTime     nanoseconds spent queued before dispatch (CFQ only)
 */
public record BlkioCgroup(BlkioCounters serviced, BlkioCounters serviceBytes, BlkioCounters merged,
                          BlkioCounters serviceTime, BlkioCounters waitTime) {
    /** Reads the statistics of the blkio cgroup directory {@code dir}, from the files this kernel has. */
    public static BlkioCgroup read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the container's blkio cgroup does not exist");
        }
        Path ioStat = dir.resolve("io.stat");
        if (Files.exists(ioStat)) return fromIoStat(Files.readString(ioStat, StandardCharsets.ISO_8859_1), ioStat.toString());
        return new BlkioCgroup(
                firstOf(dir, "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive"),
                firstOf(dir, "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive"),
                firstOf(dir, "blkio.io_merged_recursive"),
                firstOf(dir, "blkio.io_service_time_recursive"),
                firstOf(dir, "blkio.io_wait_time_recursive"));
    }

    /**
     * cgroup v2's io.stat ("MAJOR:MINOR rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N", counted
     * over the cgroup and its descendants): operations and bytes per direction; v2 keeps no
     * merges and no times. {@code where} names the file in errors.
     */
    static BlkioCgroup fromIoStat(String text, String where) throws IOException {
        Map<String, Long> serviced = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) continue;
            if (f[0].indexOf(':') < 1) throw new IOException(where + ": '" + line + "' does not start with MAJOR:MINOR");
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq < 0) throw new IOException(where + ": '" + f[i] + "' in '" + line + "' is not KEY=VALUE");
                String key = f[i].substring(0, eq);
                String operation = switch (key) {
                    case "rios", "rbytes" -> "Read";
                    case "wios", "wbytes" -> "Write";
                    case "dios", "dbytes" -> "Discard";
                    default -> null; // cost.*, and keys later kernels add
                };
                if (operation == null) continue;
                long value;
                try {
                    value = Long.parseLong(f[i].substring(eq + 1));
                } catch (NumberFormatException e) {
                    throw new IOException(where + ": '" + f[i] + "' has no number");
                }
                (key.endsWith("ios") ? serviced : bytes).put(f[0] + " " + operation, value);
            }
        }
        return new BlkioCgroup(new BlkioCounters(serviced), new BlkioCounters(bytes), BlkioCounters.NONE,
                BlkioCounters.NONE, BlkioCounters.NONE);
    }

    private static BlkioCounters firstOf(Path dir, String... names) throws IOException {
        for (String name : names) {
            Path file = dir.resolve(name);
            String text;
            try {
                text = Files.readString(file, StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                continue; // not kept by this kernel (or this scheduler): the next name, or none
            }
            return BlkioCounters.parse(text, file.toString());
        }
        return BlkioCounters.NONE;
    }
}
