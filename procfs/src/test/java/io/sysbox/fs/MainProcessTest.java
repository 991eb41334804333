package io.sysbox.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.sys.MountApi;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.SysFsClient;
import io.sysbox.fs.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** sysbox-fs as operators run it: a separate JVM, flags, signals, exit statuses, the log file. */
class MainProcessTest {
    private Path base;
    private Path run;
    private Path mnt;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-main-");
        run = base.resolve("run");
        mnt = base.resolve("mnt");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        boolean leftMounted = Mounts.isMountPoint(mnt);
        // A daemon killed mid-test leaves a dead FUSE mount: never leave it on the machine.
        while (Mounts.isMountPoint(mnt)) MountApi.umount(mnt.toString(), MountApi.MNT_DETACH);
        TempDirs.delete(base);
        if (leftMounted) fail("a FUSE mount was left at " + mnt);
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        processes.add(p);
        return p;
    }

    private Process startDaemon(Path log) throws IOException {
        return start("--run-dir", run.toString(), "--mountpoint", mnt.toString(), "--log", log.toString(),
                "--log-format", "json", "--fuse-threads", "2");
    }

    private static String stderr(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void awaitReady(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("sysbox-fs exited with " + p.exitValue() + ": " + stderr(p)
                    + (Files.exists(log) ? Files.readString(log) : ""));
            if (Files.exists(log) && Files.readString(log).contains("sysbox-fs ready")) return;
            Thread.sleep(50);
        }
        fail("sysbox-fs did not get ready in 30 s");
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithStatus2() throws Exception {
        Process p = start("--frobnicate");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(stderr(p).contains("unknown flag --frobnicate"));
        Process threads = start("--fuse-threads", "0");
        assertTrue(threads.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, threads.exitValue());
        assertTrue(stderr(threads).contains("--fuse-threads '0' is not a number from 1 to 64"));
    }

    @Test
    void helpListsTheFlags() throws Exception {
        Process p = start("--help");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(out.contains("--mountpoint") && out.contains("--run-dir") && out.contains("--log-level"), out);
    }

    @Test
    void servesUntilSigtermThenUnmountsAndExits0() throws Exception {
        Path log = base.resolve("log/sysbox-fs.log");
        Process daemon = startDaemon(log);
        awaitReady(daemon, log);
        assertTrue(Mounts.isMountPoint(mnt));
        try (SysFsClient client = SysFsClient.connect(run.resolve("sysfs.sock"))) {
            client.stub().register(RegisterRequest.newBuilder().setId("c1").setPid(daemon.pid()).build());
        }
        assertTrue(Files.readString(mnt.resolve("c1/proc/uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"));
        Process cat = new ProcessBuilder("cat", mnt.resolve("c1/proc/swaps").toString()).start();
        assertEquals("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
                new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(0, cat.waitFor());

        Process second = startDaemon(base.resolve("log/second.log"));
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, second.exitValue());
        String refusal = stderr(second);
        assertTrue(refusal.contains("pid " + daemon.pid()) && refusal.contains(run.toString()), refusal);

        daemon.destroy(); // SIGTERM
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue());
        assertFalse(Mounts.isMountPoint(mnt));
        assertEquals(List.of(), mountsUnder(mnt), "the read-only mount inside goes too");
        assertFalse(Files.exists(run.resolve("sysfs.sock")));
        assertFalse(Files.exists(run.resolve("sysfs.pid")));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(log);
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            assertTrue(entry.has("level") && entry.has("msg") && entry.has("time"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("stopping on SIGTERM")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("\"level\":\"warning\"") || l.contains("\"level\":\"error\"")),
                "a clean run logs no warnings or errors: " + lines);
    }

    @Test
    void aRestartAfterKill9DetachesTheDeadMountAndServesAgain() throws Exception {
        Path log = base.resolve("log/sysbox-fs.log");
        Process first = startDaemon(log);
        awaitReady(first, log);
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Mounts.isMountPoint(mnt), "kill -9 leaves the FUSE mount behind");
        assertEquals(2, mountsUnder(mnt).size(), "both of its connections' mounts: " + mountsUnder(mnt));

        Files.delete(log);
        Process second = startDaemon(log);
        awaitReady(second, log);
        assertTrue(Files.readString(log).contains("detaching the dead FUSE mount"), Files.readString(log));
        try (SysFsClient client = SysFsClient.connect(run.resolve("sysfs.sock"))) {
            client.stub().register(RegisterRequest.newBuilder().setId("c1").build());
        }
        assertTrue(Files.readString(mnt.resolve("c1/proc/uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"));
        assertTrue(Files.readString(mnt.resolve(".ro/c1/proc/uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"));
        assertEquals(2, mountsUnder(mnt).size(),
                "the dead mounts were detached, both of them: only the new ones stand: " + mountsUnder(mnt));
        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        assertFalse(Mounts.isMountPoint(mnt));
        assertEquals(List.of(), mountsUnder(mnt));
    }

    /** The mount points at or below {@code dir}, in mount order (mountinfo's). */
    private static List<String> mountsUnder(Path dir) throws IOException {
        // The parent resolved, not dir itself: a dead mount cannot be resolved.
        String top = dir.getParent().toRealPath().resolve(dir.getFileName()).toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(line -> line.split(" ")[4])
                .filter(target -> target.equals(top) || target.startsWith(top + "/")).toList();
    }
}
