package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.BlkioCgroup;
import io.sysbox.fs.emulation.file.HostDerivedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * proc/diskstats as the container should see it: the host's devices, each with only the I/O
 * the container's blkio cgroup did on it, and only the devices it did any on (as lxcfs does).
 * Reads, writes and discards, their sectors (bytes / 512), merges, and milliseconds of each kind
 * (service plus wait time) come from the cgroup, the time doing I/O from its total service
 * time; what a cgroup does not count (I/Os in flight, weighted time, flushes) is 0. Each line
 * keeps the host's number of fields (11 before Linux 4.18, 15 before 5.5, 17 since) in the
 * kernel's layout (block/genhd.c). A container registered without a blkio cgroup sees the
 * host's file.
 */
public final class DiskstatsFile extends HostDerivedFile {
    private static final long SECTOR = 512;
    private static final long NANOS_PER_MILLI = 1_000_000;

    /** Keeps {@code hostDiskstats} (normally /proc/diskstats) open until closed. */
    public DiskstatsFile(Path hostDiskstats) throws IOException {
        super("diskstats", hostDiskstats);
    }

    @Override
    protected String view(ContainerState container, String host) throws FuseException {
        // cgroup v2: the unified directory, when its io controller is enabled (a hybrid host's has none).
        Optional<Path> dir = container.container().cgroup("blkio")
                .or(() -> container.container().cgroup("unified").filter(d -> Files.exists(d.resolve("io.stat"))));
        if (dir.isEmpty()) return host;
        BlkioCgroup blkio;
        try {
            blkio = BlkioCgroup.read(dir.get());
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "diskstats of container " + container.id() + " from " + dir.get()
                    + ": " + e.getMessage());
        }
        return render(host, blkio);
    }

    /** The container's diskstats from the host's text and the container's blkio statistics. */
    static String render(String host, BlkioCgroup blkio) {
        StringBuilder out = new StringBuilder();
        for (String line : host.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4) continue;
            int major;
            int minor;
            try {
                major = Integer.parseInt(f[0]);
                minor = Integer.parseInt(f[1]);
            } catch (NumberFormatException e) {
                continue; // not a device line
            }
            long[] values = fields(blkio, major, minor, f.length - 3);
            boolean used = false;
            for (long v : values) used |= v != 0;
            if (!used) continue;
            out.append(String.format("%4d %7d %s", major, minor, f[2]));
            for (long v : values) out.append(' ').append(v);
            out.append('\n');
        }
        return out.toString();
    }

    /** The {@code count} statistics of Documentation/admin-guide/iostats.rst for one device, in their order. */
    private static long[] fields(BlkioCgroup b, int major, int minor, int count) {
        long[] all = {
                b.serviced().of(major, minor, "Read"),
                b.merged().of(major, minor, "Read"),
                b.serviceBytes().of(major, minor, "Read") / SECTOR,
                millis(b, major, minor, "Read"),
                b.serviced().of(major, minor, "Write"),
                b.merged().of(major, minor, "Write"),
                b.serviceBytes().of(major, minor, "Write") / SECTOR,
                millis(b, major, minor, "Write"),
                0, // I/Os in flight: a cgroup keeps no such count
                b.serviceTime().of(major, minor, "Total") / NANOS_PER_MILLI,
                0, // weighted time doing I/O: not kept either
                b.serviced().of(major, minor, "Discard"),
                b.merged().of(major, minor, "Discard"),
                b.serviceBytes().of(major, minor, "Discard") / SECTOR,
                millis(b, major, minor, "Discard"),
                0, 0, // flush requests and their time: not kept
        };
        long[] values = new long[count];
        System.arraycopy(all, 0, values, 0, Math.min(count, all.length));
        return values;
    }

    /** Time spent on one kind of operation: in the device (service) plus queued before it (wait), as lxcfs adds them. */
    private static long millis(BlkioCgroup b, int major, int minor, String operation) {
        return b.serviceTime().of(major, minor, operation) / NANOS_PER_MILLI
                + b.waitTime().of(major, minor, operation) / NANOS_PER_MILLI;
    }
}
