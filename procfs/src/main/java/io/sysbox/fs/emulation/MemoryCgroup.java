package io.sysbox.fs.emulation;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A cgroup v1 memory controller's limit, usage and statistics at one moment: what the
 * container's meminfo is computed from.
 *
 * @param limitBytes the effective limit: the smallest memory.limit_in_bytes of the cgroup and
 *                   its ancestors (memory.stat's hierarchical_memory_limit)
 * @param usageBytes memory.usage_in_bytes: everything charged to the cgroup, page cache included
 * @param stat       memory.stat's hierarchical counters (total_*, hierarchical_*: the cgroup and
 *                   its children), in bytes; the cgroup-local ones are left out
 */
public record MemoryCgroup(long limitBytes, long usageBytes, Map<String, Long> stat) {
    public MemoryCgroup {
        stat = Map.copyOf(stat);
    }

    public long stat(String key) {
        return stat.getOrDefault(key, 0L);
    }

    /** From the text of memory.stat and memory.usage_in_bytes; {@code where} names them in errors. */
    public static MemoryCgroup parse(String statText, String usageText, String where) throws IOException {
        Map<String, Long> stat = new HashMap<>();
        int at = 0;
        while (at < statText.length()) {
            int end = statText.indexOf('\n', at);
            if (end < 0) end = statText.length();
            int space = statText.indexOf(' ', at);
            boolean hierarchical = statText.startsWith("total_", at) || statText.startsWith("hierarchical_", at);
            if (hierarchical && space > at && space < end) {
                stat.put(statText.substring(at, space), number(statText.substring(space + 1, end), where + "/memory.stat"));
            }
            at = end + 1;
        }
        Long limit = stat.get("hierarchical_memory_limit");
        if (limit == null) {
            throw new IOException(where + "/memory.stat has no hierarchical_memory_limit: not a cgroup v1 memory"
                    + " directory (cgroup v2 is not read yet)");
        }
        return new MemoryCgroup(limit, number(usageText.strip(), where + "/memory.usage_in_bytes"), stat);
    }

    private static long number(String value, String file) throws IOException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + value + "' where a number of bytes was expected");
        }
    }
}
