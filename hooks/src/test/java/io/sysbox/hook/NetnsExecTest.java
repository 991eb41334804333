package io.sysbox.hook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built sysbox-netns-exec, joining the network namespace of a real process made by unshare -n. */
class NetnsExecTest {
    private static final Path HELPER = Path.of(System.getProperty("netns.exec", "target/sysbox-netns-exec"));

    private Process target;
    private String targetNs;

    record Result(int status, String stdout, String stderr) {}

    @BeforeEach
    void startTarget() throws Exception {
        assertTrue(Files.isExecutable(HELPER), HELPER + " not built (the compile phase of the hooks module builds it)");
        target = new ProcessBuilder("unshare", "-n", "sleep", "60").redirectErrorStream(true).start();
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Path ns = Path.of("/proc", Long.toString(target.pid()), "ns", "net");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Files.readSymbolicLink(ns).toString().equals(host)) {
            assertTrue(target.isAlive() && Instant.now().isBefore(deadline), "unshare -n did not start");
            Thread.sleep(10);
        }
        targetNs = Files.readSymbolicLink(ns).toString();
        assertNotEquals(host, targetNs);
    }

    @AfterEach
    void stopTarget() throws InterruptedException {
        if (target != null) {
            target.destroyForcibly();
            target.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String nsFile() {
        return "/proc/" + target.pid() + "/ns/net";
    }

    private static Result run(String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(HELPER.toString());
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void programRunsInTheJoinedNetworkNamespaceWithItsArguments() throws Exception {
        Result r = run(nsFile(), "/bin/sh", "-c", "readlink /proc/self/ns/net; echo \"$1|$2\"", "sh", "a b", "--x");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(targetNs + "\na b|--x", r.stdout());
    }

    @Test
    void exitStatusOfTheProgramComesBack() throws Exception {
        assertEquals(7, run(nsFile(), "/bin/sh", "-c", "exit 7").status());
    }

    @Test
    void aMissingNamespaceIsReportedWithoutRunningTheProgram() throws Exception {
        Result r = run("/nonexistent/ns", "/bin/echo", "ran");
        assertEquals(1, r.status());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().contains("cannot open network namespace /nonexistent/ns"), r.stderr());
    }

    @Test
    void aFileThatIsNoNetworkNamespaceIsRefused() throws Exception {
        Result r = run("/proc/self/ns/uts", "/bin/echo", "ran");
        assertEquals(1, r.status());
        assertTrue(r.stderr().contains("cannot join network namespace"), r.stderr());
    }

    @Test
    void aProgramThatCannotRunGives127() throws Exception {
        Result r = run(nsFile(), "/nonexistent/program");
        assertEquals(127, r.status());
        assertTrue(r.stderr().contains("cannot execute /nonexistent/program"), r.stderr());
    }

    @Test
    void relativePathsAreAUsageError() throws Exception {
        assertEquals(2, run("ns", "/bin/true").status());
        assertEquals(2, run(nsFile()).status());
    }
}
