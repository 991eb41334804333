package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.MemoryCgroup;
import io.sysbox.fs.emulation.cgroup.MemoryReader;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.testing.TempDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The meminfo computation on fixed inputs, line by line. */
class MeminfoFileTest {
    private static final String HOST = """
            MemTotal:       24684092 kB
            MemFree:        23483128 kB
            MemAvailable:   24305280 kB
            Buffers:           17536 kB
            Cached:           990412 kB
            SwapCached:            0 kB
            Active:           764692 kB
            Inactive:         239888 kB
            Active(anon):       1520 kB
            Inactive(anon):     3972 kB
            Active(file):     763172 kB
            Inactive(file):   235916 kB
            Unevictable:       13076 kB
            Mlocked:           12076 kB
            SwapTotal:       2097148 kB
            SwapFree:        2097148 kB
            Dirty:              1256 kB
            Writeback:             0 kB
            AnonPages:          9912 kB
            Mapped:            10736 kB
            Shmem:              8856 kB
            Slab:             105924 kB
            VmallocTotal:   34359738367 kB
            HugePages_Total:       0
            Hugepagesize:       2048 kB
            """;

    private static MemoryCgroup cgroup(long limit, long usage) {
        Map<String, Long> stat = new HashMap<>();
        stat.put("total_cache", 20L << 20);
        stat.put("total_rss", 30L << 20);
        stat.put("total_shmem", 4L << 20);
        stat.put("total_active_anon", 10L << 20);
        stat.put("total_inactive_anon", 24L << 20);
        stat.put("total_active_file", 6L << 20);
        stat.put("total_inactive_file", 10L << 20);
        stat.put("total_unevictable", 1L << 20);
        stat.put("total_dirty", 8192L);
        stat.put("total_mapped_file", 2L << 20);
        return new MemoryCgroup(limit, usage, stat);
    }

    @Test
    void aLimitedContainerSeesItsLimitAndUsageInTheKernelsLayout() {
        String out = MeminfoFile.render(HOST, cgroup(256L << 20, 50L << 20));
        assertEquals("""
                MemTotal:         262144 kB
                MemFree:          210944 kB
                MemAvailable:     227328 kB
                Buffers:               0 kB
                Cached:            20480 kB
                SwapCached:            0 kB
                Active:            16384 kB
                Inactive:          34816 kB
                Active(anon):      10240 kB
                Inactive(anon):    24576 kB
                Active(file):       6144 kB
                Inactive(file):    10240 kB
                Unevictable:        1024 kB
                Mlocked:            1024 kB
                SwapTotal:             0 kB
                SwapFree:              0 kB
                Dirty:                 8 kB
                Writeback:             0 kB
                AnonPages:         30720 kB
                Mapped:             2048 kB
                Shmem:              4096 kB
                Slab:                  0 kB
                VmallocTotal:   34359738367 kB
                HugePages_Total:       0
                Hugepagesize:       2048 kB
                """, out);
    }

    @Test
    void anUnlimitedContainerSeesTheHostsTotalAndNeverMoreAvailableThanTotal() {
        String out = MeminfoFile.render(HOST, cgroup(9223372036854771712L, 50L << 20));
        assertEquals("MemTotal:       24684092 kB", out.lines().toList().get(0));
        assertEquals("MemFree:        " + (24684092 - 51200) + " kB", out.lines().toList().get(1));
        // Usage above the limit (possible for a moment in v1) shows as nothing free, not a negative number.
        String over = MeminfoFile.render(HOST, cgroup(16L << 20, 20L << 20));
        assertEquals("MemFree:               0 kB", over.lines().toList().get(1));
        assertEquals("MemAvailable:      16384 kB", over.lines().toList().get(2));
    }

    @Test
    void aContainerWithoutAMemoryCgroupSeesTheHostsFile() throws Exception {
        Path dir = TempDirs.create("sysboxfs-meminfo-");
        try {
            Path host = Files.writeString(dir.resolve("meminfo"), HOST);
            Container container = new Container("c", 0, Map.of(), 0, 0, 0);
            try (MeminfoFile meminfo = new MeminfoFile(host); ContainerState state = ContainerState.open(container)) {
                assertEquals(HOST, new String(meminfo.render(state), StandardCharsets.ISO_8859_1));
                // The host file stays open and is read again from the start: a change shows at the next read.
                Files.writeString(host, "MemTotal:       1 kB\n");
                assertEquals("MemTotal:       1 kB\n", new String(meminfo.render(state), StandardCharsets.ISO_8859_1));
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aCgroupV2ContainerSeesTheLimitOfItsParent(@TempDir Path root) throws Exception {
        // A recorded v2 tree (6.x kernel), abridged: the pod limits, the container does not.
        Path pod = Files.createDirectories(root.resolve("system.slice/pod"));
        Path ctr = Files.createDirectories(pod.resolve("ctr"));
        Files.writeString(root.resolve("system.slice/memory.max"), "max\n");
        Files.writeString(pod.resolve("memory.max"), "268435456\n");
        Files.writeString(ctr.resolve("memory.max"), "max\n");
        Files.writeString(ctr.resolve("memory.current"), "54525952\n");
        Files.writeString(ctr.resolve("memory.stat"), "anon 31457280\nfile 20971520\nshmem 4194304\n");
        try (MemoryReader reader = MemoryReader.open(ctr)) {
            String meminfo = MeminfoFile.render("MemTotal:       24684092 kB\nMemFree:        23483128 kB\n", reader.read());
            assertEquals("MemTotal:         262144 kB\nMemFree:          208896 kB\n", meminfo);
        }
    }
}
