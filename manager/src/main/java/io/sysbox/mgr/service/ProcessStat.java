package io.sysbox.mgr.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What /proc/PID/stat says about a process: its state and its start time. The start time
 * (clock ticks since boot) tells a process from a later one that got the same pid.
 */
record ProcessStat(char state, long startTime) {
    static Optional<ProcessStat> of(int pid) {
        String text;
        try {
            text = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return Optional.empty();
        }
        // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Optional.of(new ProcessStat(fields[0].charAt(0), Long.parseLong(fields[22 - 3])));
    }

    /** Whether the process that started at startTime is still running (a zombie has exited). */
    static boolean running(int pid, long startTime) {
        return of(pid).filter(s -> s.startTime() == startTime && s.state() != 'Z' && s.state() != 'X').isPresent();
    }
}
