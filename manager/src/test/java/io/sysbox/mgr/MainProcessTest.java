package io.sysbox.mgr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.ListResponse;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.ReleaseRequest;
import io.sysbox.mgr.testing.HostFixtures;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sysbox-mgr as operators run it: a separate JVM, signals, exit statuses, the log file. */
class MainProcessTest {
    private Path base;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = HostFixtures.tempDir("mgr-main-");
        Files.writeString(base.resolve("subuid"), "");
        Files.writeString(base.resolve("subgid"), "");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        HostFixtures.cleanUp(base);
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

    private String[] daemonArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("--run-dir", base.resolve("run").toString(),
                "--data-root", base.resolve("data").toString(), "--subuid-file", base.resolve("subuid").toString(),
                "--subgid-file", base.resolve("subgid").toString(), "--subid-pool-size", "1048576"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static String stderr(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithStatus2() throws Exception {
        Process p = start("--frobnicate");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(stderr(p).contains("unknown flag --frobnicate"));
    }

    @Test
    void helpListsTheFlags() throws Exception {
        Process p = start("--help");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(out.contains("--subid-pool-size") && out.contains("--log-format"), out);
    }

    @Test
    void runsUntilSigtermThenCleansUpAndExits0AndRefusesASecondInstanceMeanwhile() throws Exception {
        Path log = base.resolve("log/sysbox-mgr.log");
        Process daemon = start(daemonArgs("--log", log.toString(), "--log-format", "json"));
        awaitReady(daemon, log, 1);
        Path run = base.resolve("run");
        assertTrue(Files.exists(run.resolve("sysmgr.sock")) && Files.exists(run.resolve("sysmgr-cli.sock")));

        Process second = start(daemonArgs());
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, second.exitValue());
        String refusal = stderr(second);
        assertTrue(refusal.contains("pid " + daemon.pid()) && refusal.contains(run.toString()), refusal);
        assertTrue(daemon.isAlive());

        daemon.destroy(); // SIGTERM
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue());
        assertFalse(Files.exists(run.resolve("sysmgr.sock")));
        assertFalse(Files.exists(run.resolve("sysmgr-cli.sock")));
        assertFalse(Files.exists(run.resolve("sysmgr.pid")));

        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.size() >= 2, lines.toString());
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            assertTrue(entry.has("level") && entry.has("msg") && entry.has("time"), line);
        }
        assertTrue(lines.getLast().contains("SIGTERM"), lines.getLast());
    }

    private void awaitReady(Process daemon, Path log, int readyLines) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(log) && Files.readString(log).split("sysbox-mgr ready", -1).length > readyLines)) {
            assertTrue(daemon.isAlive(), () -> "daemon died: " + safeStderr(daemon));
            assertTrue(System.nanoTime() < deadline, "no 'sysbox-mgr ready' in the log");
            Thread.sleep(50);
        }
    }

    @Test
    void afterKill9TheNextManagerStartsAndStillHoldsTheContainersRangeAndMounts() throws Exception {
        Path log = base.resolve("mgr.log");
        Path rootfs = Files.createDirectories(base.resolve("bundle/rootfs"));
        Path run = base.resolve("run");
        Process first = start(daemonArgs("--log", log.toString()));
        awaitReady(first, log, 1);
        FramedClient client = new FramedClient(run.resolve("sysmgr-cli.sock"));
        PrepareResponse prepared = PrepareResponse.parseFrom(client.call(ManagerMethod.PREPARE.code(),
                PrepareRequest.newBuilder().setId("c1").setRootfs(rootfs.toString()).build().toByteArray()));

        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no cleanup at all
        assertTrue(Files.exists(run.resolve("sysmgr.pid")), "a killed manager leaves its pid file");
        Process second = start(daemonArgs("--log", log.toString()));
        awaitReady(second, log, 2);
        ListResponse list = ListResponse.parseFrom(client.call(ManagerMethod.LIST.code(), new byte[0]));
        assertEquals("c1", list.getContainers(0).getId());
        assertEquals(prepared.getUidMapping(), list.getContainers(0).getUidMapping());
        assertEquals(1, HostFixtures.mountsUnder(base.resolve("data")).size());
        PrepareResponse other = PrepareResponse.parseFrom(client.call(ManagerMethod.PREPARE.code(),
                PrepareRequest.newBuilder().setId("c2").setRootfs(rootfs.toString()).build().toByteArray()));
        assertNotEquals(prepared.getUidMapping(), other.getUidMapping());
        for (String id : List.of("c1", "c2")) {
            client.call(ManagerMethod.RELEASE.code(), ReleaseRequest.newBuilder().setId(id).build().toByteArray());
        }
        assertTrue(HostFixtures.mountsUnder(base.resolve("data")).isEmpty());
        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
    }

    private static String safeStderr(Process p) {
        try {
            return p.isAlive() ? "(running)" : stderr(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
