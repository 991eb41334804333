package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * CLOCK_BOOTTIME: time since the host booted, suspend included. It is the clock of
 * /proc/uptime and of a process's start time in /proc/PID/stat, so uptimes computed from it
 * agree with the kernel's; System.nanoTime (CLOCK_MONOTONIC) stops during suspend.
 */
public final class BootClock {
    public static final int CLOCK_BOOTTIME = 7;
    private static final MethodHandle CLOCK_GETTIME = Native.errnoFunction("clock_gettime",
            FunctionDescriptor.of(INT, INT, PTR));

    private BootClock() {}

    /** Nanoseconds since boot. */
    public static long nanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            // struct timespec { time_t tv_sec; long tv_nsec; }
            MemorySegment ts = arena.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(err, CLOCK_BOOTTIME, ts);
            if (rc != 0) {
                throw new IllegalStateException(new ErrnoException("clock_gettime", "CLOCK_BOOTTIME", Native.errno(err)));
            }
            return ts.get(LONG, 0) * 1_000_000_000L + ts.get(LONG, 8);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
