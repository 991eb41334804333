package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.CpuLimits;
import io.sysbox.fs.emulation.cgroup.CpuList;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** cpuinfo and stat computed from fixed host text and limits (cpu/online: CpuOnlineFileTest). */
class CpuFilesTest {
    private static final String CPUINFO = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            core id\t\t: 0
            apicid\t\t: 0
            power management:

            processor\t: 1
            vendor_id\t: GenuineIntel
            core id\t\t: 1
            apicid\t\t: 2
            power management:

            processor\t: 2
            vendor_id\t: GenuineIntel
            core id\t\t: 2
            apicid\t\t: 4
            power management:

            """;

    private static final String STAT = """
            cpu  600 6 60 6000 3 0 30 0 0 0
            cpu0 100 1 10 1000 0 0 5 0 0 0
            cpu1 200 2 20 2000 1 0 10 0 0 0
            cpu2 300 3 30 3000 2 0 15 0 0 0
            intr 9055424 0 0 1
            ctxt 37392394
            btime 1795920210
            processes 270784
            procs_running 5
            procs_blocked 0
            softirq 2879859 0 292128
            """;

    private static CpuLimits cpuset(String cpus) throws IOException {
        return new CpuLimits(Optional.of(CpuList.parse(cpus, "test")), -1, 100_000);
    }

    @Test
    void cpuinfoKeepsTheBlocksOfTheVisibleCpusRenumbered() throws Exception {
        assertEquals("""
                processor\t: 0
                vendor_id\t: GenuineIntel
                core id\t\t: 1
                apicid\t\t: 2
                power management:

                processor\t: 1
                vendor_id\t: GenuineIntel
                core id\t\t: 2
                apicid\t\t: 4
                power management:

                """, CpuinfoFile.render(CPUINFO, cpuset("1-2")));
        String quota = CpuinfoFile.render(CPUINFO, new CpuLimits(Optional.empty(), 150_000, 100_000));
        assertEquals(List.of("processor\t: 0", "processor\t: 1"),
                quota.lines().filter(l -> l.startsWith("processor")).toList());
        assertEquals(CPUINFO, CpuinfoFile.render(CPUINFO, CpuLimits.UNLIMITED));
    }

    @Test
    void cpuinfoPassesBlocksWithoutAProcessorLineThrough() throws Exception {
        String arm = "processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n\nHardware\t: foo\n";
        assertEquals("processor\t: 0\nBogoMIPS\t: 50.00\n\nHardware\t: foo\n", CpuinfoFile.render(arm, cpuset("1")));
    }

    @Test
    void statHasATotalThatIsTheSumOfTheVisibleCpusRenumberedAndTheRestOfTheHosts() throws Exception {
        assertEquals("""
                cpu  400 4 40 4000 2 0 20 0 0 0
                cpu0 100 1 10 1000 0 0 5 0 0 0
                cpu1 300 3 30 3000 2 0 15 0 0 0
                intr 9055424 0 0 1
                ctxt 37392394
                btime 1795920210
                processes 270784
                procs_running 5
                procs_blocked 0
                softirq 2879859 0 292128
                """, StatFile.render(STAT, cpuset("0,2")));
        String one = StatFile.render(STAT, new CpuLimits(Optional.empty(), 50_000, 100_000));
        assertEquals(List.of("cpu  100 1 10 1000 0 0 5 0 0 0", "cpu0 100 1 10 1000 0 0 5 0 0 0"),
                one.lines().filter(l -> l.startsWith("cpu")).toList());
        assertEquals(STAT, StatFile.render(STAT, CpuLimits.UNLIMITED));
    }
}
