package io.sysbox.fs.fuse;

import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * sendfile(2) (busybox cat) reads even a FOPEN_DIRECT_IO file through the page cache on this
 * kernel, so it returns end of file at once at the size the kernel holds for the inode, before
 * it asks for a page (which sysbox-fs refuses, so that busybox cat falls back to read(2)). A
 * truncating open (`echo 3 > /proc/sys/vm/overcommit_memory`) whose write is refused, or not
 * made yet, must not leave that size at 0: a real FUSE mount with one sysctl-like file, read
 * with busybox cat.
 */
class TruncatingOpenSizeTest {
    private static final Logger LOG = LogManager.getLogger("truncating-open-size-test");
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final long FILE_NODE = 2;
    private static final String CONTENT = "1\n";

    private Path base;
    private Path mountpoint;
    private FuseMount mount;

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-trunc-");
        mountpoint = Files.createDirectories(base.resolve("mnt"));
        // Attributes stay cached: only the answers to the writer's requests may change the size.
        mount = FuseMount.mount(mountpoint, new SysctlLikeFile(), 2, Duration.ofSeconds(30), LOG);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (mount != null) mount.close();
        } finally {
            boolean left = Mounts.isMountPoint(mountpoint);
            TempDirs.delete(base);
            if (left) fail("the FUSE mount outlived the test");
        }
    }

    /** The file as busybox cat reads it: sendfile(2) until it returns 0. */
    private String cat() throws Exception {
        assertTrue(Files.isExecutable(BUSYBOX), BUSYBOX + " is missing: apt-get install busybox-static");
        Path copy = base.resolve("copy");
        Process cat = new ProcessBuilder(BUSYBOX.toString(), "cat", mountpoint.resolve("sysctl").toString())
                .redirectOutput(copy.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "busybox cat finished");
        assertEquals(0, cat.exitValue(), "busybox cat's exit status");
        return Files.readString(copy);
    }

    private FileChannel openTruncating() throws IOException {
        return FileChannel.open(mountpoint.resolve("sysctl"), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Test
    void aRefusedWriteAfterATruncatingOpenLeavesTheFileReadable() throws Exception {
        assertEquals(CONTENT, cat());
        try (FileChannel writer = openTruncating()) {
            try {
                writer.write(ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
                fail("the write must be refused");
            } catch (IOException expected) {
                // EINVAL, as for an out-of-range sysctl value
            }
        }
        assertEquals(CONTENT, cat(), "read after the refused write");
    }

    @Test
    void aReadBetweenATruncatingOpenAndItsWriteIsWhole() throws Exception {
        assertEquals(CONTENT, cat());
        try (FileChannel writer = openTruncating()) {
            assertEquals(CONTENT, cat(), "read while the writer holds the truncated file");
            assertTrue(writer.isOpen());
        }
    }

    /** Node 1 is the root, node 2 the file "sysctl": always "1\n", every write refused with EINVAL. */
    private static final class SysctlLikeFile implements FuseFileSystem {
        private Attributes attributes(long node) throws FuseException {
            if (node == 1) return new Attributes(1, 0, Attributes.S_IFDIR | 0755, 2, 0, 0, 0);
            // A page, as EmulationFileSystem reports: sendfile needs a size above the content's.
            if (node == FILE_NODE) return new Attributes(FILE_NODE, 4096, Attributes.S_IFREG | 0644, 1, 0, 0, 0);
            throw new FuseException(Errno.ENOENT, "no node " + node);
        }

        public Entry lookup(Caller c, long parent, String name) throws FuseException {
            if (parent != 1 || !name.equals("sysctl")) throw new FuseException(Errno.ENOENT, "no " + name);
            return new Entry(FILE_NODE, attributes(FILE_NODE));
        }

        public Attributes getAttributes(Caller c, long node) throws FuseException {
            return attributes(node);
        }

        public Attributes setAttributes(Caller c, long node, AttributeChange change) throws FuseException {
            return attributes(node);
        }

        public Opened open(Caller c, long node, int flags) throws FuseException {
            attributes(node);
            return new Opened(1, Opened.DIRECT_IO | Opened.NO_FLUSH);
        }

        public ByteBuffer read(Caller c, long node, long handle, long offset, int size, ReadKind kind) throws FuseException {
            // As EmulationFileSystem: busybox cat's sendfile fails and it reads with read(2).
            if (kind == ReadKind.PAGE_CACHE) throw new FuseException(Errno.EINVAL, "no page-cache reads");
            byte[] content = CONTENT.getBytes(StandardCharsets.US_ASCII);
            if (offset >= content.length) return ByteBuffer.allocate(0);
            return ByteBuffer.wrap(content, (int) offset, (int) Math.min(size, content.length - offset));
        }

        public int write(Caller c, long node, long handle, long offset, ByteBuffer data) throws FuseException {
            throw new FuseException(Errno.EINVAL, "refused");
        }

        public void release(long node, long handle) {}

        public Opened openDirectory(Caller c, long node, int flags) {
            return new Opened(0, 0);
        }

        public List<DirectoryEntry> readDirectory(Caller c, long node, long handle, long offset) {
            return List.of();
        }

        public void releaseDirectory(long node, long handle) {}

        public void access(Caller c, long node, int mask) {}
    }
}
