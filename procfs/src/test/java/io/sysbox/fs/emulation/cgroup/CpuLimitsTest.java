package io.sysbox.fs.emulation.cgroup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPU lists in the kernel's format and the CPUs a container sees from its cpuset and quota. */
class CpuLimitsTest {
    private static final List<Integer> FOUR = List.of(0, 1, 2, 3);

    private static CpuList list(String text) throws IOException {
        return CpuList.parse(text, "test");
    }

    @Test
    void cpuListsParseAndFormatLikeTheKernel() throws Exception {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), list("0-3,8,10-11\n").cpus());
        assertEquals("0-3,8,10-11", list("10-11,8,0-3").format());
        assertEquals("0", list("0").format());
        assertEquals("", list("\n").format());
        assertEquals("0-5", CpuList.firstN(6).format());
        assertEquals("0", CpuList.firstN(1).format());
        IOException bad = assertThrows(IOException.class, () -> CpuList.parse("3-1", "/x/cpuset.cpus"));
        assertTrue(bad.getMessage().contains("/x/cpuset.cpus") && bad.getMessage().contains("'3-1'"), bad.getMessage());
        assertThrows(IOException.class, () -> list("a"));
    }

    @Test
    void aQuotaCountsAsItsCeilingInCpus() {
        assertEquals(OptionalInt.of(2), new CpuLimits(Optional.empty(), 150_000, 100_000).quotaCpus());
        assertEquals(OptionalInt.of(1), new CpuLimits(Optional.empty(), 50_000, 100_000).quotaCpus());
        assertEquals(OptionalInt.of(3), new CpuLimits(Optional.empty(), 300_000, 100_000).quotaCpus());
        assertEquals(OptionalInt.empty(), new CpuLimits(Optional.empty(), -1, 100_000).quotaCpus());
    }

    @Test
    void visibleCpusAreTheCpusetsOnlineOnesCutToTheQuota() throws Exception {
        assertEquals(FOUR, CpuLimits.UNLIMITED.visible(FOUR));
        assertEquals(List.of(0), new CpuLimits(Optional.of(list("0")), -1, 100_000).visible(FOUR));
        assertEquals(List.of(1, 3), new CpuLimits(Optional.of(list("1,3,7")), -1, 100_000).visible(FOUR));
        assertEquals(List.of(0, 1), new CpuLimits(Optional.empty(), 150_000, 100_000).visible(FOUR));
        // min(cpuset, quota), whichever is smaller.
        assertEquals(List.of(2), new CpuLimits(Optional.of(list("2-3")), 80_000, 100_000).visible(FOUR));
        assertEquals(List.of(2, 3), new CpuLimits(Optional.of(list("2-3")), 900_000, 100_000).visible(FOUR));
        // A quota above the machine shows the machine.
        assertEquals(FOUR, new CpuLimits(Optional.empty(), 1_000_000, 100_000).visible(FOUR));
        // A v1 cpuset not written yet restricts nothing.
        assertEquals(FOUR, new CpuLimits(Optional.of(list("")), -1, 100_000).visible(FOUR));
    }
}
