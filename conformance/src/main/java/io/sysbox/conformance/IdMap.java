package io.sysbox.conformance;

import java.util.ArrayList;
import java.util.List;

/** One line of /proc/PID/uid_map or gid_map: container id, host id, size. */
public record IdMap(long containerId, long hostId, long size) {

    public static List<IdMap> parse(String text) {
        List<IdMap> maps = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) throw new IllegalArgumentException("not an id map line: \"" + line + "\"");
            maps.add(new IdMap(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return maps;
    }

    public long hostEnd() {
        return hostId + size;
    }

    public boolean overlaps(IdMap other) {
        return hostId < other.hostEnd() && other.hostId < hostEnd();
    }
}
