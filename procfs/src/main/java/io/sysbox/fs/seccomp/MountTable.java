package io.sysbox.fs.seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A process's mount table, in mountinfo order (the order the mounts were made). */
public record MountTable(List<MountEntry> entries) {
    public MountTable {
        entries = List.copyOf(entries);
    }

    public static MountTable parse(String mountinfo) {
        List<MountEntry> entries = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            if (!line.isBlank()) entries.add(MountEntry.parse(line));
        }
        return new MountTable(entries);
    }

    /** The table of process PID, as it sees its mounts. */
    public static MountTable of(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", Long.toString(pid), "mountinfo")));
    }

    public Optional<MountEntry> byId(long id) {
        return entries.stream().filter(e -> e.id() == id).findFirst();
    }

    /** The last mount made at PATH exactly (the one on top), if any. */
    public Optional<MountEntry> at(String path) {
        MountEntry found = null;
        for (MountEntry e : entries) {
            if (e.mountPoint().equals(path)) found = e;
        }
        return Optional.ofNullable(found);
    }

    public boolean hasChildren(MountEntry parent) {
        return entries.stream().anyMatch(e -> e.parentId() == parent.id() && e.id() != parent.id());
    }

    /**
     * The mount points of the mounts standing directly on PARENT, relative to its mount point,
     * each once, in the order they were made: what a replica of PARENT must carry (a recursive
     * clone of each brings what stands on it).
     */
    public List<String> childPaths(MountEntry parent) {
        Set<String> paths = new LinkedHashSet<>();
        String prefix = parent.mountPoint().equals("/") ? "/" : parent.mountPoint() + "/";
        for (MountEntry e : entries) {
            if (e.parentId() == parent.id() && e.id() != parent.id() && e.mountPoint().startsWith(prefix)) {
                paths.add(e.mountPoint().substring(prefix.length()));
            }
        }
        return List.copyOf(paths);
    }
}
