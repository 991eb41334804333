package io.sysbox.fs.fuse;

import io.sysbox.common.keeper.DescriptorKeeper;
import io.sysbox.common.keeper.DescriptorKeeperClient;
import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.registry.ContainerRegistry;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.emulation.tree.EmulationFileSystem;
import io.sysbox.fs.emulation.tree.NodeTable;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernel's FUSE_NOTIFY_RESEND on a real mount: a READ the first server took and never
 * answered (its only thread is stuck in it, as a killed server's request stays taken) is
 * answered by a second server on the same connection, a copy of the descriptor passed through
 * the descriptor keeper, once it asks the kernel to resend, and not before. The second server
 * never saw the OPEN, so it also re-derives the handle.
 */
class FuseResendTest {
    private static final Logger LOG = LogManager.getLogger("fuse-resend-test");

    private Path base;
    private Path mountpoint;
    private ContainerLayout layout;
    private FuseMount first;
    private FuseSession second;
    private final CountDownLatch stuck = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-resend-");
        mountpoint = Files.createDirectories(base.resolve("mnt"));
        layout = ContainerLayout.standard();
    }

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        try {
            if (first != null) first.close(); // unmounts: both sessions see the connection end
            if (second != null) {
                assertTrue(second.awaitStopped(Duration.ofSeconds(10)), "the second session's threads ended");
                second.closeDevice();
            }
        } finally {
            layout.close();
            boolean left = Mounts.isMountPoint(mountpoint);
            TempDirs.delete(base);
            if (left) fail("the FUSE mount outlived the test");
        }
    }

    /** The first server: its reads of emulated files never return until released. */
    private FuseFileSystem stuckOnRead(EmulationFileSystem fs) {
        return new FuseFileSystem() {
            public Entry lookup(Caller c, long parent, String name) throws FuseException {
                return fs.lookup(c, parent, name);
            }

            public Attributes getAttributes(Caller c, long node) throws FuseException {
                return fs.getAttributes(c, node);
            }

            public Attributes setAttributes(Caller c, long node, AttributeChange change) throws FuseException {
                return fs.setAttributes(c, node, change);
            }

            public Opened open(Caller c, long node, int flags) throws FuseException {
                return fs.open(c, node, flags);
            }

            public ByteBuffer read(Caller c, long node, long handle, long offset, int size, ReadKind kind) throws FuseException {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return fs.read(c, node, handle, offset, size, kind);
            }

            public int write(Caller c, long node, long handle, long offset, ByteBuffer data) throws FuseException {
                return fs.write(c, node, handle, offset, data);
            }

            public void release(long node, long handle) {
                fs.release(node, handle);
            }

            public Opened openDirectory(Caller c, long node, int flags) throws FuseException {
                return fs.openDirectory(c, node, flags);
            }

            public List<DirectoryEntry> readDirectory(Caller c, long node, long handle, long offset) throws FuseException {
                return fs.readDirectory(c, node, handle, offset);
            }

            public void releaseDirectory(long node, long handle) {
                fs.releaseDirectory(node, handle);
            }

            public void access(Caller c, long node, int mask) throws FuseException {
                fs.access(c, node, mask);
            }
        };
    }

    @Test
    void aRequestTheFirstServerTookIsAnsweredByTheSecondAfterAResend() throws Exception {
        NodeTable table = new NodeTable(0);
        ContainerRegistry registry = new ContainerRegistry(table, layout, id -> {}, () -> 0);
        registry.register(new Container("c1", BootClock.nanos(), Map.of(), 0, 0, 0));
        first = FuseMount.mount(mountpoint, stuckOnRead(new EmulationFileSystem(table, LOG)), 1, Duration.ofSeconds(1), LOG);
        Negotiated negotiated = first.session().awaitNegotiated(Duration.ofSeconds(10)).orElseThrow();

        // A second reference to the same /dev/fuse file, the way a restarted sysbox-fs gets one.
        int copy;
        try (DescriptorKeeper keeper = DescriptorKeeper.start(base.resolve("keeper.sock"), LOG)) {
            DescriptorKeeperClient client = new DescriptorKeeperClient(keeper.socket());
            client.keep(first.session().deviceFd(), new byte[0]);
            copy = client.fetch().orElseThrow().fd();
        }

        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(mountpoint.resolve("c1/proc/uptime"));
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
        assertTrue(stuck.await(10, TimeUnit.SECONDS), "the first server took the READ");

        second = FuseSession.resumed(copy, new EmulationFileSystem(table, LOG), Duration.ofSeconds(1), negotiated, LOG);
        second.start(2, "resend-test-");
        Thread.sleep(500);
        assertFalse(reader.isDone(), "a taken request is not sent again by itself");

        second.requestResend();
        String content = reader.get(10, TimeUnit.SECONDS);
        assertTrue(content.matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"), content);
    }
}
