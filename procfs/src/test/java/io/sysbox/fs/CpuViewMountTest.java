package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.cgroup.CpuList;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.testing.CgroupFixture;
import io.sysbox.fs.testing.MemoryCgroupFixture;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU view (proc/cpuinfo, proc/stat, sys/devices/system/cpu/online) over a real FUSE mount,
 * computed from real cpuset and cpu cgroups made under this test's own cgroups.
 */
class CpuViewMountTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");

    private Path base;
    private Path mountpoint;
    private SysboxFsMount mount;
    private final List<CgroupFixture> cgroups = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-cpu-");
        mountpoint = base.resolve("mnt");
        mount = SysboxFsMount.mount(mountpoint, 4, LOG);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mount != null) mount.close();
        } finally {
            try {
                for (CgroupFixture cgroup : cgroups) cgroup.close();
            } finally {
                assertFalse(Mounts.isMountPoint(mountpoint), "the FUSE mount outlived close()");
                TempDirs.delete(base);
            }
        }
    }

    private CgroupFixture keep(CgroupFixture cgroup) {
        cgroups.add(cgroup);
        return cgroup;
    }

    private void register(String id, Map<String, Path> cgroups) throws Exception {
        mount.registry().register(new Container(id, BootClock.nanos(), cgroups, 0, 0, 0));
    }

    private String read(String id, String path) throws IOException {
        return Files.readString(mountpoint.resolve(id).resolve(path));
    }

    private static List<Integer> hostCpus() throws IOException {
        return CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")), "online").cpus();
    }

    private static List<String> processorLines(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.matches("processor\\s*:.*")).toList();
    }

    /** The names of the cpuN lines, in order. */
    private static List<String> perCpuLines(String stat) {
        return stat.lines().map(l -> l.split(" ")[0]).filter(n -> n.matches("cpu\\d+")).toList();
    }

    private static long[] times(String stat, String name) {
        String line = stat.lines().filter(l -> l.split(" ")[0].equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from\n" + stat));
        return Arrays.stream(line.substring(name.length()).strip().split(" +")).mapToLong(Long::parseLong).toArray();
    }

    /** The CPU view of a container that sees {@code n} CPUs: n processors, cpu0..cpuN-1 summed in cpu, online 0..n-1. */
    private void assertSeesCpus(String id, int n) throws IOException {
        List<String> processors = new ArrayList<>();
        List<String> perCpu = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            processors.add("processor\t: " + i);
            perCpu.add("cpu" + i);
        }
        String cpuinfo = read(id, "proc/cpuinfo");
        assertEquals(processors, processorLines(cpuinfo), cpuinfo);
        String stat = read(id, "proc/stat");
        assertEquals(perCpu, perCpuLines(stat), stat);
        long[] sum = new long[times(stat, "cpu").length];
        for (String cpu : perCpu) {
            long[] t = times(stat, cpu);
            for (int i = 0; i < t.length; i++) sum[i] += t[i];
        }
        assertArrayEquals(sum, times(stat, "cpu"), "the cpu line is not the sum of the cpuN lines:\n" + stat);
        assertTrue(stat.startsWith("cpu  "), stat);
        // Every other line of the host's stat is there, in the host's order.
        List<String> hostOthers = Files.readAllLines(Path.of("/proc/stat")).stream().map(l -> l.split(" ")[0])
                .filter(k -> !k.startsWith("cpu")).toList();
        assertEquals(hostOthers, stat.lines().map(l -> l.split(" ")[0]).filter(k -> !k.startsWith("cpu")).toList());
        assertEquals((n == 1 ? "0" : "0-" + (n - 1)) + "\n", read(id, "sys/devices/system/cpu/online"));
    }

    @Test
    void aCpusetOfCpuZeroShowsOneCpu() throws Exception {
        CgroupFixture cpuset = keep(CgroupFixture.cpuset("0"));
        register("c1", Map.of("cpuset", cpuset.dir()));
        assertSeesCpus("c1", 1);
        assertEquals("0\n", read("c1", "sys/devices/system/cpu/online"));
    }

    @Test
    void aCfsQuotaOfOneAndAHalfCpusShowsTwo() throws Exception {
        assumeTrue(hostCpus().size() >= 2, "needs a host with two CPUs or more");
        CgroupFixture cpu = keep(CgroupFixture.cfsQuota(150_000, 100_000));
        register("c1", Map.of("cpu", cpu.dir()));
        assertSeesCpus("c1", 2);
    }

    @Test
    void aCfsQuotaOfHalfACpuShowsOne() throws Exception {
        CgroupFixture cpu = keep(CgroupFixture.cfsQuota(50_000, 100_000));
        register("c1", Map.of("cpu", cpu.dir()));
        assertSeesCpus("c1", 1);
    }

    @Test
    void theSmallerOfCpusetAndQuotaWins() throws Exception {
        assumeTrue(hostCpus().containsAll(List.of(0, 1)), "needs CPUs 0 and 1 online");
        CgroupFixture cpuset = keep(CgroupFixture.cpuset("0-1"));
        CgroupFixture cpu = keep(CgroupFixture.cfsQuota(100_000, 100_000));
        register("c1", Map.of("cpuset", cpuset.dir(), "cpu", cpu.dir()));
        assertSeesCpus("c1", 1);
    }

    @Test
    void anotherCpuThanZeroIsRenumberedFromZeroWithTheHostsDataOfThatCpu() throws Exception {
        List<Integer> host = hostCpus();
        assumeTrue(host.size() >= 2, "needs a host with two CPUs or more");
        int last = host.getLast();
        CgroupFixture cpuset = keep(CgroupFixture.cpuset(Integer.toString(last)));
        register("c1", Map.of("cpuset", cpuset.dir()));

        String cpuinfo = read("c1", "proc/cpuinfo");
        assertEquals(List.of("processor\t: 0"), processorLines(cpuinfo));
        String hostBlock = Arrays.stream(Files.readString(Path.of("/proc/cpuinfo")).split("\n\n"))
                .filter(b -> b.startsWith("processor\t: " + last + "\n")).findFirst().orElseThrow();
        // The same CPU: all but the processor line (and the sampled frequency) are the host's block of it.
        assertEquals(stable(hostBlock), stable(cpuinfo.strip()));

        long[] before = times(Files.readString(Path.of("/proc/stat")), "cpu" + last);
        long[] seen = times(read("c1", "proc/stat"), "cpu0");
        long[] after = times(Files.readString(Path.of("/proc/stat")), "cpu" + last);
        for (int i = 0; i < seen.length; i++) {
            assertTrue(before[i] <= seen[i] && seen[i] <= after[i], "cpu0 column " + i + " is " + seen[i]
                    + ", not the host's cpu" + last + " (" + before[i] + ".." + after[i] + ")");
        }
    }

    private static List<String> stable(String block) {
        return block.lines().filter(l -> !l.startsWith("processor") && !l.startsWith("cpu MHz")).toList();
    }

    @Test
    void everyReadFollowsTheCgroupAsItIsNow() throws Exception {
        assumeTrue(hostCpus().containsAll(List.of(0, 1)), "needs CPUs 0 and 1 online");
        CgroupFixture cpuset = keep(CgroupFixture.cpuset("0"));
        CgroupFixture cpu = keep(CgroupFixture.cfsQuota(-1, 100_000));
        register("c1", Map.of("cpuset", cpuset.dir(), "cpu", cpu.dir()));
        assertSeesCpus("c1", 1);
        cpuset.write("cpuset.cpus", "0-1");
        assertSeesCpus("c1", 2);
        cpu.write("cpu.cfs_quota_us", "60000");
        assertSeesCpus("c1", 1);
    }

    @Test
    void withoutCpuCgroupsTheHostsFilesAreServed() throws Exception {
        try (MemoryCgroupFixture memory = MemoryCgroupFixture.create(256L << 20)) {
            register("c1", Map.of("memory", memory.dir()));
            try {
                assertEquals(Files.readString(Path.of("/sys/devices/system/cpu/online")),
                        read("c1", "sys/devices/system/cpu/online"));
                assertEquals(processorLines(Files.readString(Path.of("/proc/cpuinfo"))),
                        processorLines(read("c1", "proc/cpuinfo")));
                assertEquals(perCpuLines(Files.readString(Path.of("/proc/stat"))), perCpuLines(read("c1", "proc/stat")));
                String loadavg = read("c1", "proc/loadavg");
                assertTrue(loadavg.matches("\\d+\\.\\d\\d \\d+\\.\\d\\d \\d+\\.\\d\\d \\d+/\\d+ \\d+\n"), loadavg);
                // The host's: the 15-minute average cannot move by 1 between two reads.
                double host15 = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[2]);
                assertEquals(host15, Double.parseDouble(loadavg.split(" ")[2]), 1.0);
            } finally {
                // Before its memory cgroup goes.
                mount.registry().unregister("c1");
            }
        }
    }

    @Test
    void theSysfsFileSitsUnderSysDevicesSystemCpuWithTheHostsModes() throws Exception {
        CgroupFixture cpuset = keep(CgroupFixture.cpuset("0"));
        register("c1", Map.of("cpuset", cpuset.dir()));
        Map<String, String> modes = new LinkedHashMap<>();
        for (String path : List.of("sys", "sys/devices", "sys/devices/system", "sys/devices/system/cpu",
                "sys/devices/system/cpu/online", "proc", "proc/cpuinfo", "proc/stat", "proc/loadavg")) {
            modes.put(path, PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/" + path))));
        }
        for (Map.Entry<String, String> e : modes.entrySet()) {
            assertEquals(e.getValue(), PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    mountpoint.resolve("c1").resolve(e.getKey()))), e.getKey());
        }
        try (var sys = Files.list(mountpoint.resolve("c1/sys/devices/system/cpu"))) {
            assertEquals(List.of("online"), sys.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aRegisteredCpusetThatIsNotOneIsRefusedWithItsPath() throws Exception {
        try (MemoryCgroupFixture memory = MemoryCgroupFixture.create(256L << 20)) {
            IOException wrong = assertThrows(IOException.class, () -> register("c1", Map.of("cpuset", memory.dir())));
            assertTrue(wrong.getMessage().contains("container c1") && wrong.getMessage().contains(memory.dir()
                    + " is not a cpuset cgroup directory"), wrong.getMessage());
            assertFalse(Files.exists(mountpoint.resolve("c1")));
        }
    }
}
