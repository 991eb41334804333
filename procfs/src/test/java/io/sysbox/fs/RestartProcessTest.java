package io.sysbox.fs;

import io.sysbox.common.keeper.DescriptorKeeper;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.sys.MountApi;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.SysFsClient;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * sysbox-fs killed with -9 and started again, as separate JVMs, with a descriptor keeper (the
 * manager's, run in this JVM) holding the FUSE connection: the mount, a bind mount of one of its
 * files, an open file and a read queued while nobody served all keep working, with the same
 * values; without a keeper the restart mounts afresh.
 */
class RestartProcessTest {
    private Path base;
    private Path run;
    private Path mnt;
    private Path bound;
    private DescriptorKeeper keeper;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-restart-");
        run = Files.createDirectories(base.resolve("run"));
        mnt = base.resolve("mnt");
        bound = base.resolve("bound-uptime");
        Files.writeString(bound, "");
    }

    @AfterEach
    void tearDown() throws Exception {
        // The keeper first: with it gone and the daemon killed, the connection ends, so nothing below can block on it.
        if (keeper != null) keeper.close();
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        boolean leftMounted = Mounts.isMountPoint(mnt) || Mounts.isMountPoint(bound);
        while (Mounts.isMountPoint(bound)) MountApi.umount(bound.toString(), MountApi.MNT_DETACH);
        while (Mounts.isMountPoint(mnt)) MountApi.umount(mnt.toString(), MountApi.MNT_DETACH);
        TempDirs.delete(base);
        if (leftMounted) fail("a mount was left at " + mnt + " or " + bound);
    }

    private Process startDaemon(Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--run-dir", run.toString(), "--mountpoint", mnt.toString(), "--log", log.toString(),
                "--fuse-threads", "2"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(base.resolve("console").toFile()).start();
        processes.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("sysbox-fs exited with " + p.exitValue() + ": " + Files.readString(base.resolve("console"))
                    + (Files.exists(log) ? Files.readString(log) : ""));
            if (Files.exists(log) && Files.readString(log).contains("sysbox-fs ready")) return p;
            Thread.sleep(50);
        }
        fail("sysbox-fs did not get ready in 30 s");
        return p;
    }

    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void afterKill9TheRestartedDaemonServesTheSameConnectionWithTheSameState() throws Exception {
        keeper = DescriptorKeeper.start(run.resolve(DescriptorKeeper.SOCKET), LogManager.getLogger("keeper"));
        Process first = startDaemon(base.resolve("first.log"));
        assertTrue(keeper.holds(), "handed over before it reports ready");
        try (SysFsClient client = SysFsClient.connect(run.resolve("sysfs.sock"))) {
            client.stub().register(RegisterRequest.newBuilder().setId("c1").setPid(ProcessHandle.current().pid()).build());
            client.stub().register(RegisterRequest.newBuilder().setId("c2").setShareStateWith("c1").build());
        }
        Path panic = mnt.resolve("c1/proc/sys/kernel/panic");
        Files.writeString(panic, "7");
        // A container's bind mount, from the read-only connection as the runtime makes it: it pins
        // the node by its id, which the restarted daemon must know.
        MountApi.mount(mnt.resolve(".ro/c1/proc/uptime").toString(), bound.toString(), null, MountApi.MS_BIND, null);
        double before = uptime(Files.readString(bound));
        String uuid = readIfPresent(mnt.resolve("c1/sys/devices/virtual/dmi/id/product_uuid"));

        try (FileChannel meminfo = FileChannel.open(mnt.resolve("c2/proc/meminfo"))) {
            assertTrue(read(meminfo).startsWith("MemTotal:"));
            kill9(first);
            assertTrue(keeper.holds(), "the keeper keeps the connection after the crash");
            assertTrue(Mounts.isMountPoint(mnt), "the mount stays, waiting for a server");
            // Queued while nobody serves: answered by the next daemon.
            CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readString(bound);
                } catch (IOException e) {
                    return "failed: " + e;
                }
            });
            // And one on the read-write connection.
            CompletableFuture<String> queuedSysctl = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readString(panic);
                } catch (IOException e) {
                    return "failed: " + e;
                }
            });
            Thread.sleep(300);
            assertFalse(queued.isDone(), "nobody serves: the read waits instead of failing");
            assertFalse(queuedSysctl.isDone(), "nobody serves the read-write connection either");

            Path log = base.resolve("second.log");
            Process second = startDaemon(log);
            String restarted = Files.readString(log);
            assertTrue(restarted.contains("resumed the FUSE connections")
                    && (restarted.contains("[c1, c2]") || restarted.contains("[c2, c1]")), restarted);
            assertFalse(restarted.contains("detaching"), restarted);
            assertFalse(restarted.contains("cannot resend"), "the kernel took FUSE_NOTIFY_RESEND: " + restarted);

            double after = uptime(queued.get(30, TimeUnit.SECONDS));
            assertTrue(after >= before, "the uptime base is kept: " + before + " then " + after);
            assertEquals("7\n", queuedSysctl.get(30, TimeUnit.SECONDS), "the read-write connection is served again");
            assertTrue(uptime(Files.readString(mnt.resolve("c1/proc/uptime"))) >= before);
            assertEquals("MemTotal:", read(meminfo).substring(0, 9), "a file opened before the crash reads again");
            assertEquals("7\n", Files.readString(panic), "a sysctl written before the crash");
            assertEquals("7\n", Files.readString(mnt.resolve("c2/proc/sys/kernel/panic")), "shared by the pod");
            assertEquals(uuid, readIfPresent(mnt.resolve("c1/sys/devices/virtual/dmi/id/product_uuid")));
            assertEquals(uuid, readIfPresent(mnt.resolve("c2/sys/devices/virtual/dmi/id/product_uuid")));

            // A registration after the restart works, and so does unregistering a restored one.
            try (SysFsClient client = SysFsClient.connect(run.resolve("sysfs.sock"))) {
                client.stub().register(RegisterRequest.newBuilder().setId("c3").build());
                assertTrue(client.stub().unregister(io.sysbox.common.proto.UnregisterRequest.newBuilder()
                        .setId("c2").build()).getExisted());
            }
            assertTrue(Files.exists(mnt.resolve("c3/proc/uptime")));
            assertFalse(Files.exists(mnt.resolve("c2")));

            MountApi.umount(bound.toString(), 0);
            meminfo.close();
            second.destroy(); // SIGTERM
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, second.exitValue());
        }
        assertFalse(keeper.holds(), "a clean stop takes the connection back from the keeper");
        assertFalse(Mounts.isMountPoint(mnt));
        try (var records = Files.list(run.resolve("sysfs/containers"))) {
            assertEquals(0, records.count(), "a clean stop leaves no container records");
        }
        try (var records = Files.list(run.resolve("sysfs/states"))) {
            assertEquals(0, records.count(), "nor emulation states");
        }
    }

    @Test
    void withoutTheKeeperARestartMountsAfreshWithoutTheOldContainers() throws Exception {
        keeper = DescriptorKeeper.start(run.resolve(DescriptorKeeper.SOCKET), LogManager.getLogger("keeper"));
        Process first = startDaemon(base.resolve("first.log"));
        try (SysFsClient client = SysFsClient.connect(run.resolve("sysfs.sock"))) {
            client.stub().register(RegisterRequest.newBuilder().setId("c1").build());
        }
        kill9(first);
        keeper.close(); // the manager went too: its reference was the connection's last
        keeper = null;
        Path log = base.resolve("second.log");
        Process second = startDaemon(log);
        assertTrue(Files.readString(log).contains("detaching the dead FUSE mount"), Files.readString(log));
        assertFalse(Files.exists(mnt.resolve("c1")), "a fresh mount has none of the old containers");
        try (var records = Files.list(run.resolve("sysfs/containers"))) {
            assertEquals(0, records.count(), "their records are gone too");
        }
        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        assertFalse(Mounts.isMountPoint(mnt));
    }

    private static double uptime(String content) {
        assertTrue(content.matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"), "uptime content: " + content);
        return Double.parseDouble(content.split(" ")[0]);
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        channel.read(buffer, 0);
        buffer.flip();
        return StandardCharsets.US_ASCII.decode(buffer).toString();
    }

    /** product_uuid exists only where the host has one. */
    private static String readIfPresent(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
