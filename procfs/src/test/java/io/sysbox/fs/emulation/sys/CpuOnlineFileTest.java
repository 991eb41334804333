package io.sysbox.fs.emulation.sys;

import io.sysbox.fs.emulation.cgroup.CpuLimits;
import io.sysbox.fs.emulation.cgroup.CpuList;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** sys/devices/system/cpu/online computed from fixed host CPUs and limits. */
class CpuOnlineFileTest {
    private static CpuLimits cpuset(String cpus) throws IOException {
        return new CpuLimits(Optional.of(CpuList.parse(cpus, "test")), -1, 100_000);
    }

    @Test
    void cpuOnlineCountsTheVisibleCpusFromZero() throws Exception {
        CpuList host = CpuList.parse("0-3", "test");
        assertEquals("0\n", CpuOnlineFile.render(host, cpuset("2")));
        assertEquals("0-1\n", CpuOnlineFile.render(host, new CpuLimits(Optional.empty(), 150_000, 100_000)));
        assertEquals("0-3\n", CpuOnlineFile.render(host, CpuLimits.UNLIMITED));
        // Offline CPUs of the cpuset do not count.
        assertEquals("0-1\n", CpuOnlineFile.render(CpuList.parse("0,2-3", "test"), cpuset("1-3")));
    }
}
