package io.sysbox.fs.emulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A cgroup v1 blkio controller's I/O statistics at one moment, per device, counted over the
 * cgroup and its descendants: what a container's proc/diskstats is computed from.
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
        return new BlkioCgroup(
                firstOf(dir, "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive"),
                firstOf(dir, "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive"),
                firstOf(dir, "blkio.io_merged_recursive"),
                firstOf(dir, "blkio.io_service_time_recursive"),
                firstOf(dir, "blkio.io_wait_time_recursive"));
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
