package io.sysbox.fs.emulation.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A container's memory cgroup, read for its meminfo: a cgroup v1 memory directory or a cgroup v2 one. */
public sealed interface MemoryReader extends AutoCloseable permits MemoryCgroupReader, MemoryCgroupV2Reader {
    Path dir();

    MemoryCgroup read() throws IOException;

    @Override
    void close() throws IOException;

    /** The reader for DIR: v2 where it holds memory.current, else v1. */
    static MemoryReader open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the container's memory cgroup does not exist");
        }
        return Files.exists(dir.resolve("memory.current")) ? new MemoryCgroupV2Reader(dir) : new MemoryCgroupReader(dir);
    }
}
