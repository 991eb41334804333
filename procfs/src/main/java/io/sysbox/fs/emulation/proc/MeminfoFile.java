package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.MemoryCgroup;
import io.sysbox.fs.emulation.cgroup.MemoryReader;
import io.sysbox.fs.emulation.file.HostDerivedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * proc/meminfo as the container should see it: a machine whose memory is its cgroup's limit.
 * The host's file gives the lines and their order; the lines that describe memory use are
 * recomputed from the container's memory cgroup (as lxcfs does), the kernel-wide ones
 * (Vmalloc, HugePages, DirectMap...) pass through. Swap shows as none, matching proc/swaps.
 * A container registered without a memory cgroup sees the host's file.
 */
public final class MeminfoFile extends HostDerivedFile {
    /** Keeps {@code hostMeminfo} (normally /proc/meminfo) open until closed. */
    public MeminfoFile(Path hostMeminfo) throws IOException {
        super("meminfo", hostMeminfo);
    }

    @Override
    protected String view(ContainerState container, String host) throws FuseException {
        Optional<MemoryReader> cgroup = container.memory();
        if (cgroup.isEmpty()) return host;
        MemoryCgroup memory;
        try {
            memory = cgroup.get().read();
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "meminfo of container " + container.id() + " from "
                    + cgroup.get().dir() + ": " + e.getMessage());
        }
        return render(host, memory);
    }

    /** The container's meminfo from the host's text and the container's memory cgroup. */
    static String render(String host, MemoryCgroup memory) {
        Values v = Values.of(hostKb(host, "MemTotal"), hostKb(host, "Mlocked"), memory);
        StringBuilder out = new StringBuilder(host.length());
        int at = 0;
        while (at < host.length()) {
            int end = host.indexOf('\n', at);
            if (end < 0) end = host.length();
            int colon = host.indexOf(':', at);
            long value = colon > at && colon < end ? v.of(host.substring(at, colon)) : -1;
            if (value < 0) {
                out.append(host, at, end).append('\n');
            } else {
                appendLine(out, host.substring(at, colon + 1), value);
            }
            at = end + 1;
        }
        return out.toString();
    }

    /** The kernel's layout (fs/proc/meminfo.c): the label padded to 16 columns, the number right-aligned in 8. */
    private static void appendLine(StringBuilder out, String label, long kb) {
        out.append(label);
        for (int i = label.length(); i < 16; i++) out.append(' ');
        String number = Long.toString(kb);
        for (int i = number.length(); i < 8; i++) out.append(' ');
        out.append(number).append(" kB\n");
    }

    private static long hostKb(String host, String key) {
        int at = host.startsWith(key + ":") ? 0 : host.indexOf("\n" + key + ":");
        if (at < 0) return 0;
        if (at > 0) at++;
        int end = host.indexOf('\n', at);
        String line = host.substring(at + key.length() + 1, end < 0 ? host.length() : end).strip();
        int space = line.indexOf(' ');
        try {
            return Long.parseLong(space < 0 ? line : line.substring(0, space));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The recomputed lines' values in kB; -1 for a line that passes through. */
    private record Values(long totalKb, long freeKb, long availableKb, long hostMlockedKb, MemoryCgroup m) {
        static Values of(long hostTotalKb, long hostMlockedKb, MemoryCgroup m) {
            long total = Math.min(hostTotalKb, m.limitBytes() / 1024);
            long free = total - Math.min(total, m.usageBytes() / 1024);
            // Free memory plus the page cache the kernel can reclaim: the file LRU lists (shmem sits on the anon ones).
            long reclaimable = (m.stat("total_active_file") + m.stat("total_inactive_file")) / 1024;
            return new Values(total, free, Math.min(total, free + reclaimable), hostMlockedKb, m);
        }

        long of(String key) {
            return switch (key) {
                case "MemTotal" -> totalKb;
                case "MemFree" -> freeKb;
                case "MemAvailable" -> availableKb;
                case "Cached" -> kb("total_cache");
                case "Active" -> kb("total_active_anon") + kb("total_active_file");
                case "Inactive" -> kb("total_inactive_anon") + kb("total_inactive_file");
                case "Active(anon)" -> kb("total_active_anon");
                case "Inactive(anon)" -> kb("total_inactive_anon");
                case "Active(file)" -> kb("total_active_file");
                case "Inactive(file)" -> kb("total_inactive_file");
                case "Unevictable" -> kb("total_unevictable");
                case "Mlocked" -> Math.min(hostMlockedKb, kb("total_unevictable"));
                case "Dirty" -> kb("total_dirty");
                case "Writeback" -> kb("total_writeback");
                case "AnonPages" -> kb("total_rss");
                case "Mapped" -> kb("total_mapped_file");
                case "Shmem" -> kb("total_shmem");
                case "AnonHugePages" -> kb("total_rss_huge");
                // No swap (proc/swaps lists none); slab and huge page cache are not the container's to see.
                case "Buffers", "SwapCached", "SwapTotal", "SwapFree", "Zswap", "Zswapped", "KReclaimable", "Slab",
                     "SReclaimable", "SUnreclaim", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages",
                     "FilePmdMapped" -> 0;
                default -> -1;
            };
        }

        private long kb(String statKey) {
            return m.stat(statKey) / 1024;
        }
    }
}
