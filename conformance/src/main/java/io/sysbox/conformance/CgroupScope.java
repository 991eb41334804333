package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A random cgroup prefix ("sysbox-conformance-XXXX") under which every container of one suite
 * puts its cgroups, relative to the suite's own cgroup, so the suite can find and remove
 * exactly what it caused and nothing else.
 */
public final class CgroupScope {
    private final String name;
    private final List<CgroupHierarchy> hierarchies;

    private CgroupScope(String name, List<CgroupHierarchy> hierarchies) {
        this.name = name;
        this.hierarchies = List.copyOf(hierarchies);
    }

    public static CgroupScope random() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return new CgroupScope("sysbox-conformance-" + HexFormat.of().formatHex(bytes), CgroupHierarchy.all());
    }

    public String name() {
        return name;
    }

    public List<CgroupHierarchy> hierarchies() {
        return hierarchies;
    }

    /** The relative cgroupsPath for container ID. */
    public String pathFor(String containerId) {
        return name + "/" + containerId;
    }

    /** Container ID's cgroup directory in HIERARCHY. */
    public Path containerDir(CgroupHierarchy hierarchy, String containerId) {
        return hierarchy.resolve(pathFor(containerId));
    }

    /** Cgroup directories below the prefix (the prefix dirs themselves excluded) that still exist. */
    public List<Path> leftovers() {
        List<Path> found = new ArrayList<>();
        for (CgroupHierarchy h : hierarchies) {
            Path prefix = h.resolve(name);
            for (Path dir : directoriesDeepestFirst(prefix)) {
                if (!dir.equals(prefix)) found.add(dir);
            }
        }
        return found;
    }

    /** rmdir of everything under the prefix and the prefix itself; returns what could not go. */
    public List<String> removeAll() {
        List<String> failures = new ArrayList<>();
        for (CgroupHierarchy h : hierarchies) {
            for (Path dir : directoriesDeepestFirst(h.resolve(name))) {
                try {
                    Files.delete(dir);  // rmdir: a cgroup directory's files are not real files
                } catch (IOException e) {
                    failures.add("rmdir " + dir + ": " + e);
                }
            }
        }
        return failures;
    }

    private static List<Path> directoriesDeepestFirst(Path top) {
        // A container's release removes its cgroups while this walks them: a directory gone mid-walk means walk again.
        for (int attempt = 1; ; attempt++) {
            if (!Files.isDirectory(top)) return List.of();
            try (Stream<Path> walk = Files.walk(top)) {
                return walk.filter(Files::isDirectory)
                        .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                        .toList();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 10) {
                    throw new IllegalStateException("cannot list " + top + ": " + e.getMessage(), e);
                }
            } catch (IOException e) {
                if (!(e instanceof java.nio.file.NoSuchFileException) || attempt == 10) {
                    throw new IllegalStateException("cannot list " + top + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
