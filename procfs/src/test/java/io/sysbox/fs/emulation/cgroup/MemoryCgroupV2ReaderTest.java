package io.sysbox.fs.emulation.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cgroup v2 memory on a recorded tree: the files as a 6.x kernel writes them under
 * /sys/fs/cgroup/system.slice/pod/ctr (a limited parent, an unlimited container).
 */
class MemoryCgroupV2ReaderTest {
    // memory.stat of a v2 cgroup (6.1), abridged to the keys of each kind it has.
    private static final String STAT = """
            anon 31457280
            file 20971520
            kernel 2097152
            kernel_stack 131072
            sock 0
            shmem 4194304
            file_mapped 2097152
            file_dirty 8192
            file_writeback 0
            anon_thp 0
            inactive_anon 25165824
            active_anon 10485760
            inactive_file 10485760
            active_file 6291456
            unevictable 1048576
            slab_reclaimable 524288
            pgfault 12345
            """;

    @TempDir Path root;

    private Path tree(String parentMax, String ownMax) throws IOException {
        Path parent = Files.createDirectories(root.resolve("system.slice/pod"));
        Path container = Files.createDirectories(parent.resolve("ctr"));
        Files.writeString(root.resolve("system.slice/memory.max"), "max\n");
        Files.writeString(parent.resolve("memory.max"), parentMax);
        Files.writeString(container.resolve("memory.max"), ownMax);
        Files.writeString(container.resolve("memory.current"), "54525952\n");
        Files.writeString(container.resolve("memory.stat"), STAT);
        return container;
    }

    @Test
    void theEffectiveLimitIsTheSmallestOnTheWayUp() throws IOException {
        try (MemoryReader reader = MemoryReader.open(tree("268435456\n", "max\n"))) {
            assertInstanceOf(MemoryCgroupV2Reader.class, reader);
            MemoryCgroup memory = reader.read();
            assertEquals(268435456L, memory.limitBytes());
            assertEquals(54525952L, memory.usageBytes());
            assertEquals(20971520L, memory.stat("total_cache"));
            assertEquals(31457280L, memory.stat("total_rss"));
            assertEquals(6291456L, memory.stat("total_active_file"));
            assertEquals(10485760L, memory.stat("total_inactive_file"));
            assertEquals(8192L, memory.stat("total_dirty"));
            assertEquals(0L, memory.stat("pgfault"), "counters that are not memory sizes are left out");
        }
    }

    @Test
    void unlimitedAllTheWayUpIsNoLimit() throws IOException {
        try (MemoryReader reader = MemoryReader.open(tree("max\n", "max\n"))) {
            assertEquals(Long.MAX_VALUE, reader.read().limitBytes());
        }
    }

    @Test
    void aLimitWrittenLaterIsSeenAtTheNextRead() throws IOException {
        Path container = tree("max\n", "max\n");
        try (MemoryReader reader = MemoryReader.open(container)) {
            Files.writeString(container.resolve("memory.max"), "134217728\n");
            assertEquals(134217728L, reader.read().limitBytes());
        }
    }

    @Test
    void aV1DirectoryStillGetsTheV1Reader() throws IOException {
        Path v1 = Files.createDirectories(root.resolve("memory/ctr"));
        Files.writeString(v1.resolve("memory.usage_in_bytes"), "4096\n");
        Files.writeString(v1.resolve("memory.stat"), "cache 0\nhierarchical_memory_limit 1048576\ntotal_cache 0\n");
        try (MemoryReader reader = MemoryReader.open(v1)) {
            assertInstanceOf(MemoryCgroupReader.class, reader);
            assertEquals(1048576L, reader.read().limitBytes());
        }
    }

    @Test
    void aGarbledLimitIsNamedInTheError() throws IOException {
        try (MemoryReader reader = MemoryReader.open(tree("lots\n", "max\n"))) {
            IOException e = assertThrows(IOException.class, reader::read);
            assertTrue(e.getMessage().contains("memory.max") && e.getMessage().contains("'lots'"), e.getMessage());
        }
    }
}
