package io.sysbox.conformance.procfs;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 1: with sysbox-fs beside the manager, a system container sees its own
 * /proc/uptime, /proc/swaps, /proc/meminfo (memory limit as MemTotal), and CPUs from its cpuset
 * and CFS quota in /proc/cpuinfo, /proc/stat and /sys/devices/system/cpu/online.
 */
class ProcEmulationIT {
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;

    @BeforeAll
    static void start() throws Exception {
        env = SuiteEnvironment.start("procemulation");
        fs = SysboxFsProcess.start(env);
    }

    @AfterAll
    static void stop() {
        try {
            if (env != null) env.deleteContainers();
        } finally {
            if (fs != null) fs.close();
            if (env != null) env.close();
        }
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
}
