package io.sysbox.conformance.procfs;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 1: with sysbox-fs beside the manager, a system container sees its own
 * /proc/uptime, /proc/swaps, /proc/meminfo (memory limit as MemTotal), and CPUs from its cpuset
 * and CFS quota in /proc/cpuinfo, /proc/stat and /sys/devices/system/cpu/online, and only its
 * own I/O in /proc/diskstats.
 */
class ProcEmulationIT {
    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("procemulation");
        env = suite.env();
        fs = suite.fs();
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    private static String runInside(String id, BusyboxBundle bundle) {
        CommandResult result = env.runc().run("run", "--bundle", bundle.dir().toString(), id);
        assertTrue(result.succeeded(), result.describe() + "\n" + fs.logTail());
        return result.stdout();
    }

    @Test
    void uptimeStartsNearZeroAndIsBelowTheHosts() throws Exception {
        String id = env.newContainerId("uptime");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "cat /proc/uptime").write();
        String[] inside = runInside(id, bundle).strip().split("\\s+");
        double hostUptime = Double.parseDouble(Files.readAllLines(Path.of("/proc/uptime")).getFirst().split(" ")[0]);
        double uptime = Double.parseDouble(inside[0]);
        assertTrue(uptime >= 0 && uptime < 10, "a new container's uptime: " + uptime);
        assertTrue(uptime < hostUptime, uptime + " < host " + hostUptime);
        assertEquals(inside[0], inside[1], "both columns equal");
    }

    @Test
    void swapsHasOnlyItsHeader() throws Exception {
        String id = env.newContainerId("swaps");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "cat /proc/swaps").write();
        String[] lines = runInside(id, bundle).strip().split("\n");
        assertEquals(1, lines.length, String.join("|", lines));
        assertTrue(lines[0].startsWith("Filename"), lines[0]);
    }

    @Test
    void aCpusetOfOneCpuShowsOneCpu() throws Exception {
        String id = env.newContainerId("cpuset");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c",
                "grep -c ^processor /proc/cpuinfo; grep ^cpu /proc/stat | cut -d' ' -f1; cat /sys/devices/system/cpu/online");
        bundle.linux().withObjectProperty("resources").putObject("cpu").put("cpus", "0").put("mems", "0");
        bundle.write();
        assertEquals("1\ncpu\ncpu0\n0", runInside(id, bundle).strip());
    }

    @Test
    void aQuotaOfOneAndAHalfCpusShowsTwo() throws Exception {
        String id = env.newContainerId("quota");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c",
                "grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online");
        bundle.linux().withObjectProperty("resources").putObject("cpu").put("quota", 150000).put("period", 100000);
        bundle.write();
        assertEquals("2\n0-1", runInside(id, bundle).strip());
    }

    @Test
    void noSysboxFsLeavesTheKernelsFiles() throws Exception {
        String id = env.newContainerId("nofs");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "grep MemTotal /proc/meminfo");
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", 256L << 20);
        bundle.write();
        CommandResult result = env.runc().run("--no-sysbox-fs", "run", "--bundle", bundle.dir().toString(), id);
        assertTrue(result.succeeded(), result.describe());
        String host = Files.readAllLines(Path.of("/proc/meminfo")).getFirst();
        assertEquals(host.replaceAll("\\s+", " "), result.stdout().strip().replaceAll("\\s+", " "));
    }

    @Test
    void meminfoShowsTheMemoryLimitAsMemTotal() throws Exception {
        String id = env.newContainerId("meminfo");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "grep MemTotal /proc/meminfo");
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", 256L << 20);
        bundle.write();
        assertEquals("MemTotal:         262144 kB", runInside(id, bundle).strip());
    }

    @Test
    void diskstatsShowsOnlyTheContainersOwnIo() throws Exception {
        String id = env.newContainerId("diskstats");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "cat /proc/diskstats").write();
        String inside = runInside(id, bundle);
        List<String[]> host = Files.readAllLines(Path.of("/proc/diskstats")).stream()
                .map(l -> l.strip().split("\\s+")).toList();
        String[] busiest = host.stream().max(Comparator.comparingLong(ProcEmulationIT::ios)).orElseThrow();
        assertTrue(ios(busiest) > 0, "the host has done I/O: " + String.join(" ", busiest));
        // A new container has done a tiny part of the host's I/O, if any its cgroup counted (blk-throttle
        // counts only on devices with a throttling rule): never the host's counters.
        for (String line : inside.strip().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            assertTrue(host.stream().anyMatch(h -> h[2].equals(f[2])), "a device of the host's: " + line);
            if (f[2].equals(busiest[2])) {
                assertTrue(ios(f) < ios(busiest) / 2, "the host's counters inside: " + line);
            }
        }
    }

    /** Reads plus writes completed, fields 4 and 8 of a diskstats line. */
    private static long ios(String[] fields) {
        return Long.parseLong(fields[3]) + Long.parseLong(fields[7]);
    }
}
