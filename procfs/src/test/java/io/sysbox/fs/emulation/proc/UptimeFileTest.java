package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.registry.ContainerState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** proc/uptime's arithmetic and format on a fixed clock. */
class UptimeFileTest {
    private static String uptime(long startNanos, long nowNanos) throws Exception {
        try (ContainerState c = ContainerState.open(new Container("c", startNanos, Map.of(), 0, 0, 0))) {
            return new String(new UptimeFile(() -> nowNanos).render(c), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void secondsWithTwoDecimalsTruncatedLikeTheKernel() throws Exception {
        assertEquals("5.07 5.07\n", uptime(1_000_000_000L, 6_079_999_999L));
        assertEquals("123.40 123.40\n", uptime(0, 123_400_000_000L));
        assertEquals("0.00 0.00\n", uptime(10_000_000_000L, 10_009_999_999L));
    }

    @Test
    void aStartInTheFutureShowsZeroNotANegativeUptime() throws Exception {
        assertEquals("0.00 0.00\n", uptime(10_000_000_000L, 9_000_000_000L));
    }
}
