package io.sysbox.fs.emulation.cgroup;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory cgroup's limit, usage and statistics at one moment: what the container's meminfo is
 * computed from (cgroup v1's names; v2's are mapped to them).
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
                    + " directory (a cgroup v2 one is read by parseV2)");
        }
        return new MemoryCgroup(limit, number(usageText.strip(), where + "/memory.usage_in_bytes"), stat);
    }

    /**
     * cgroup v2's memory.stat keys (already counting the cgroup's descendants) under the v1
     * hierarchical names meminfo is computed from.
     */
    private static final Map<String, String> V1_NAME_OF_V2 = Map.ofEntries(
            Map.entry("file", "total_cache"), Map.entry("anon", "total_rss"), Map.entry("anon_thp", "total_rss_huge"),
            Map.entry("active_anon", "total_active_anon"), Map.entry("inactive_anon", "total_inactive_anon"),
            Map.entry("active_file", "total_active_file"), Map.entry("inactive_file", "total_inactive_file"),
            Map.entry("unevictable", "total_unevictable"), Map.entry("file_dirty", "total_dirty"),
            Map.entry("file_writeback", "total_writeback"), Map.entry("file_mapped", "total_mapped_file"),
            Map.entry("shmem", "total_shmem"));

    /**
     * From cgroup v2's memory.stat, memory.current and the memory.max of the cgroup and its
     * ancestors ("max" for none): the effective limit is the smallest.
     */
    public static MemoryCgroup parseV2(String statText, String currentText, List<String> maxima, String where)
            throws IOException {
        Map<String, Long> stat = new HashMap<>();
        for (String line : statText.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) continue;
            String v1 = V1_NAME_OF_V2.get(line.substring(0, space));
            if (v1 != null) stat.put(v1, number(line.substring(space + 1).strip(), where + "/memory.stat"));
        }
        long limit = Long.MAX_VALUE;
        for (String max : maxima) {
            String value = max.strip();
            if (!value.equals("max")) limit = Math.min(limit, number(value, where + "/memory.max (or an ancestor's)"));
        }
        return new MemoryCgroup(limit, number(currentText.strip(), where + "/memory.current"), stat);
    }

    private static long number(String value, String file) throws IOException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + value + "' where a number of bytes was expected");
        }
    }
}
