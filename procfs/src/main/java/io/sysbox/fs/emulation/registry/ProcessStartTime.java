package io.sysbox.fs.emulation.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** When a host process started, on CLOCK_BOOTTIME: field 22 (starttime) of /proc/PID/stat. */
public final class ProcessStartTime {
    /** USER_HZ: the unit of starttime, 100 on every Linux architecture the JDK runs on. */
    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private ProcessStartTime() {}

    public static long bootNanos(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        String text = Files.readString(stat, StandardCharsets.ISO_8859_1);
        // The command name (field 2) is in parentheses and may hold spaces and ')': count from the last one.
        int close = text.lastIndexOf(')');
        String[] fields = text.substring(close + 2).split(" ");
        // fields[0] is field 3 (state), so field 22 is fields[19].
        if (close < 0 || fields.length < 20) throw new IOException(stat + " does not look like a stat file: " + text);
        return Long.parseLong(fields[19]) * NANOS_PER_TICK;
    }
}
