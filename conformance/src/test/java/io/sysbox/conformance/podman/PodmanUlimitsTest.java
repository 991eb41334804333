package io.sysbox.conformance.podman;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodmanUlimitsTest {
    private static final List<String> LIMITS = List.of(
            "Limit                     Soft Limit           Hard Limit           Units     ",
            "Max processes             4096                 96367                processes ",
            "Max open files            1024                 20000                files     ",
            "Max pending signals       96367                96367                signals   ",
            "Max locked memory         unlimited            unlimited            bytes     ");

    @Test
    void theHardLimitIsTheThirdColumnOfItsOwnLine() {
        assertEquals(96367, PodmanUlimits.hardLimit(LIMITS, "Max processes"));
        assertEquals(20000, PodmanUlimits.hardLimit(LIMITS, "Max open files"));
        assertEquals(Long.MAX_VALUE, PodmanUlimits.hardLimit(LIMITS, "Max locked memory"));
    }

    @Test
    void theDefaultUlimitsGiveSoftEqualToHard() {
        assertEquals(List.of("nofile=20000:20000", "nproc=32768:32768"), new PodmanUlimits(20000, 32768).defaultUlimits());
    }

    /** pid_max read whole (a sysctl file answers nothing past offset 0, so a short first read would cut it). */
    @Test
    void thisProcessesLimitsAreNoHigherThanItsOwnAndPidMax() throws IOException {
        PodmanUlimits ulimits = PodmanUlimits.ofThisProcess();
        long pidMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).getFirst().strip());
        List<String> own = Files.readAllLines(Path.of("/proc/self/limits"));
        assertEquals(PodmanUlimits.hardLimit(own, "Max open files"), ulimits.nofile());
        assertEquals(Math.min(PodmanUlimits.hardLimit(own, "Max processes"), pidMax), ulimits.nproc());
        assertTrue(ulimits.nproc() >= 300, "pid_max is at least 301 on Linux: " + ulimits.nproc());
    }
}
