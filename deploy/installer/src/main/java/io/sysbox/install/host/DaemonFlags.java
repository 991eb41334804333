package io.sysbox.install.host;

import java.util.Arrays;
import java.util.List;

/**
 * Extra command-line flags for the daemons on a node (the DaemonSet's ConfigMap), added after
 * what their units already pass. Empty lists change nothing.
 */
public record DaemonFlags(List<String> manager, List<String> fs) {
    public static final DaemonFlags NONE = new DaemonFlags(List.of(), List.of());

    public DaemonFlags {
        manager = List.copyOf(manager);
        fs = List.copyOf(fs);
    }

    /** Flags from a line of words separated by blanks (no quoting: flags and paths have no blanks). */
    public static DaemonFlags parse(String manager, String fs) {
        return new DaemonFlags(words(manager), words(fs));
    }

    private static List<String> words(String line) {
        if (line == null || line.isBlank()) return List.of();
        return Arrays.stream(line.strip().split("\\s+")).toList();
    }
}
