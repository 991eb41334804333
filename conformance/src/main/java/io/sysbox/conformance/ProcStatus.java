package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Fields of a /proc/PID/status text (read on the host, or printed by `cat` inside a container). */
public record ProcStatus(Map<String, String> fields) {

    public static ProcStatus parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return new ProcStatus(fields);
    }

    public static ProcStatus ofPid(long pid) {
        return read(Path.of("/proc/" + pid + "/status"));
    }

    public static ProcStatus self() {
        return read(Path.of("/proc/self/status"));
    }

    private static ProcStatus read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public String field(String name) {
        String value = fields.get(name);
        if (value == null) throw new IllegalStateException("no " + name + " line in status: " + fields.keySet());
        return value;
    }

    /** A capability mask (CapInh, CapPrm, CapEff, CapBnd, CapAmb) as a number. */
    public long capabilities(String name) {
        return Long.parseUnsignedLong(field(name), 16);
    }

    /** The real uid (first of the four Uid values). */
    public long realUid() {
        return Long.parseLong(field("Uid").split("\\s+")[0]);
    }
}
