package io.sysbox.fs.emulation.cgroup;

import io.sysbox.fs.emulation.file.RereadableFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A container's cgroup v1 memory directory, its two files kept open for the container's lifetime.
 * (cgroup v2: MemoryCgroupV2Reader; {@link MemoryReader#open} picks by what the directory holds.)
 */
public final class MemoryCgroupReader implements MemoryReader {
    private final Path dir;
    private final RereadableFile stat;
    private final RereadableFile usage;

    /** @throws IOException if {@code dir} is not a cgroup v1 memory directory */
    public MemoryCgroupReader(Path dir) throws IOException {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the container's memory cgroup does not exist");
        }
        if (!Files.exists(dir.resolve("memory.usage_in_bytes"))) {
            throw new IOException(dir + " is not a cgroup v1 memory directory (no memory.usage_in_bytes);"
                    + " a cgroup v2 directory has memory.current instead");
        }
        this.stat = new RereadableFile(dir.resolve("memory.stat"));
        RereadableFile usageFile;
        try {
            usageFile = new RereadableFile(dir.resolve("memory.usage_in_bytes"));
        } catch (IOException e) {
            stat.close();
            throw e;
        }
        this.usage = usageFile;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public MemoryCgroup read() throws IOException {
        return MemoryCgroup.parse(stat.read(), usage.read(), dir.toString());
    }

    @Override
    public void close() throws IOException {
        try {
            stat.close();
        } finally {
            usage.close();
        }
    }
}
