package io.sysbox.fs.emulation.cgroup;

import io.sysbox.fs.emulation.file.RereadableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's cgroup v2 directory with the memory controller: memory.stat and memory.current,
 * and the memory.max of the directory and of each ancestor that has one (v2 has no
 * hierarchical_memory_limit: the effective limit is the smallest on the way up; the root has
 * none). All kept open for the container's lifetime.
 */
public final class MemoryCgroupV2Reader implements MemoryReader {
    private final Path dir;
    private final RereadableFile stat;
    private final RereadableFile current;
    private final List<RereadableFile> limits;

    MemoryCgroupV2Reader(Path dir) throws IOException {
        this.dir = dir;
        List<RereadableFile> opened = new ArrayList<>();
        try {
            opened.add(new RereadableFile(dir.resolve("memory.stat")));
            opened.add(new RereadableFile(dir.resolve("memory.current")));
            for (Path at = dir; at != null && Files.exists(at.resolve("memory.max")); at = at.getParent()) {
                opened.add(new RereadableFile(at.resolve("memory.max")));
            }
        } catch (IOException e) {
            for (RereadableFile file : opened) {
                try {
                    file.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        this.stat = opened.get(0);
        this.current = opened.get(1);
        this.limits = List.copyOf(opened.subList(2, opened.size()));
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public MemoryCgroup read() throws IOException {
        List<String> maxima = new ArrayList<>(limits.size());
        for (RereadableFile limit : limits) maxima.add(limit.read());
        return MemoryCgroup.parseV2(stat.read(), current.read(), maxima, dir.toString());
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (RereadableFile file : allFiles()) {
            try {
                file.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    private List<RereadableFile> allFiles() {
        List<RereadableFile> all = new ArrayList<>(List.of(stat, current));
        all.addAll(limits);
        return all;
    }
}
