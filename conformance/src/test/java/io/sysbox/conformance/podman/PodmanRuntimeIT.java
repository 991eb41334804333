package io.sysbox.conformance.podman;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import io.sysbox.conformance.cri.PodImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 4 (Podman): Debian's podman 4.3 and conmon ({@link PrivatePodman}) with
 * sysbox-runc of dist/ as its runtime, the suite's own sysbox-mgr and sysbox-fs behind it; and
 * the same steps with plain runc in the same class (a second private podman), so a step that
 * fails only for sysbox-runc is sysbox-runc's, not the host's. conmon's call pattern: create
 * with --pid-file, --log/--log-format json and --console-socket for -t, exec with a --process
 * file, state, kill with signals, delete --force (also from the cleanup process conmon starts).
 * After every test nothing is left: no podman container, mount, conmon; no runtime state,
 * private dir, id range, idmapped clone or cgroup.
 */
class PodmanRuntimeIT {
    private static final String IMAGE = "localhost/sysbox-test/busybox:podman";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SuiteEnvironment suite;
    private static SysboxFsProcess fs;
    private static Path runcRoot;
    private static PrivatePodman sysbox;
    private static PrivatePodman runc;

    @BeforeAll
    static void start() throws Exception {
        suite = SuiteEnvironment.start("podman");
        try {
            fs = SysboxFsProcess.start(suite);
            PodImage image = PodImage.build(suite.directory("image"), suite.runner(), List.of(IMAGE));
            sysbox = PrivatePodman.start(suite.work().resolve("podman-sysbox"),
                    OciRuntime.sysboxRunc(suite.dist().sysboxRunc(), suite.runc().root(), suite.manager().dirs().runDir()),
                    suite.cgroups().name(), suite.runner());
            sysbox.load(image.tarball());
            runcRoot = suite.directory("runc-root");
            runc = PrivatePodman.start(suite.work().resolve("podman-runc"), OciRuntime.runc(runcRoot),
                    suite.cgroups().name(), suite.runner());
            runc.load(image.tarball());
        } catch (Exception | Error e) {
            try {
                stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> problems = new ArrayList<>();
        for (AutoCloseable part : new AutoCloseable[] {sysbox, runc, fs}) {
            if (part == null) continue;
            try {
                part.close();
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
        }
        try {
            if (suite != null) suite.close();
        } catch (IllegalStateException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) throw new IllegalStateException(String.join("\n", problems));
    }

    /** Podman's leftovers, the runtime's (runc state, sysbox-runc's private dirs and the manager's), and cgroups. */
    private static List<String> leaks() {
        List<String> leaks = new ArrayList<>(sysbox.leaks());
        leaks.addAll(runc.leaks());
        leaks.addAll(suite.leakCheck().leaks());
        LeakCheck.entries(runcRoot, "runc state", leaks);
        return leaks;
    }

    @AfterEach
    void nothingIsLeft() {
        List<String> leaks = LeakCheck.awaitEmpty(PodmanRuntimeIT::leaks, Duration.ofSeconds(10));
        assertTrue(leaks.isEmpty(), "left behind:\n  " + String.join("\n  ", leaks));
    }

    private static PrivatePodman podman(String runtime) {
        return switch (runtime) {
            case "sysbox-runc" -> sysbox;
            case "runc" -> runc;
            default -> throw new IllegalArgumentException(runtime);
        };
    }

    /** The output of a command that must succeed, trimmed, without a terminal's CRs. */
    private static String ok(CommandResult result) {
        assertTrue(result.succeeded(), result.describe());
        return result.stdout().strip().replace("\r", "");
    }

    private static String[] uidMap(String text) {
        return text.strip().split("\\s+");
    }

    @Test
    void sysboxRuncGivesEachContainerAnExclusiveRangeAndItsOwnProcFiles() {
        String[] first = uidMap(ok(sysbox.run("run", "--rm", IMAGE, "cat", "/proc/self/uid_map")));
        assertEquals("0", first[0]);
        assertNotEquals("0", first[1], "never host uid 0");
        assertEquals("65536", first[2]);
        String one = ok(sysbox.run("run", "-d", IMAGE, "sleep", "600"));
        String two = ok(sysbox.run("run", "-d", IMAGE, "sleep", "600"));
        long a = Long.parseLong(uidMap(ok(sysbox.run("exec", one, "cat", "/proc/self/uid_map")))[1]);
        long b = Long.parseLong(uidMap(ok(sysbox.run("exec", two, "cat", "/proc/self/uid_map")))[1]);
        assertTrue(a != 0 && b != 0, "never host uid 0: " + a + ", " + b);
        assertTrue(a + 65536 <= b || b + 65536 <= a, "two running containers share ids: " + a + " and " + b);
        String mounts = ok(sysbox.run("exec", one, "cat", "/proc/self/mountinfo"));
        assertTrue(mounts.lines().anyMatch(l -> l.contains(" /proc/uptime ") && l.contains(" - fuse")),
                "podman's spec gets sysbox-fs's /proc/uptime:\n" + mounts);
        ok(sysbox.run("rm", "-f", "-t", "0", one, two));
    }

    /** A spec sysbox-runc refuses: the message reaches podman's caller through conmon's JSON log, nothing is left. */
    @Test
    void aRefusedSpecFailsWithSysboxRuncsMessage() {
        CommandResult host = sysbox.run("run", "--rm", "--network", "host", IMAGE, "true");
        assertEquals(126, host.exitCode(), host.describe());
        assertTrue(host.stderr().contains("--net=host is not supported by system containers"), host.describe());
        assertEquals(0, runc.run("run", "--rm", "--network", "host", IMAGE, "true").exitCode(), "runc runs it");
    }

    /** The control: the same run with plain runc shares the host's ids (no user namespace of its own). */
    @Test
    void plainRuncSharesTheHostsIds() {
        assertEquals(List.of("0", "0", "4294967295"),
                List.of(uidMap(ok(runc.run("run", "--rm", IMAGE, "cat", "/proc/self/uid_map")))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc", "sysbox-runc"})
    void detachedExecPsPauseStopStartRm(String runtime) {
        PrivatePodman podman = podman(runtime);
        String id = ok(podman.run("run", "-d", IMAGE, "sleep", "600"));
        assertTrue(ok(podman.run("ps", "--no-trunc", "--format", "{{.ID}} {{.Status}}")).contains(id + " Up"), runtime);
        assertEquals("hello", ok(podman.run("exec", id, "echo", "hello")));
        assertEquals(5, podman.run("exec", id, "sh", "-c", "exit 5").exitCode(), "an exec's exit code comes back");
        assertTrue(ok(podman.run("exec", "-t", id, "tty")).startsWith("/dev/pts/"), "exec -t gets a terminal");
        ok(podman.run("pause", id));
        assertEquals("paused", ok(podman.run("inspect", "--format", "{{.State.Status}}", id)));
        ok(podman.run("unpause", id));
        // --sync asks the runtime's `state` rather than podman's database.
        assertTrue(ok(podman.run("ps", "--sync", "--no-trunc", "--format", "{{.ID}} {{.Status}}")).contains(id + " Up"));
        ok(podman.run("stop", "-t", "1", id));
        assertEquals("exited 137", ok(podman.run("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", id)),
                "busybox sleep as pid 1 ignores SIGTERM: SIGKILL after the timeout");
        ok(podman.run("start", id));
        assertEquals("running", ok(podman.run("inspect", "--format", "{{.State.Status}}", id)));
        assertEquals("again", ok(podman.run("exec", id, "echo", "again")));
        ok(podman.run("rm", "-f", "-t", "0", id));
        assertFalse(ok(podman.run("ps", "-a", "--no-trunc", "--format", "{{.ID}}")).contains(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc", "sysbox-runc"})
    void exitCodesComeBack(String runtime) {
        PrivatePodman podman = podman(runtime);
        assertEquals(7, podman.run("run", "--rm", IMAGE, "sh", "-c", "exit 7").exitCode());
        CommandResult missing = podman.run("run", "--rm", IMAGE, "/nonexistent");
        assertEquals(127, missing.exitCode(), missing.describe());
        assertTrue(missing.stderr().contains("no such file or directory"), missing.describe());
        String id = ok(podman.run("run", "-d", IMAGE, "sh", "-c", "sleep 1; exit 3"));
        assertEquals("3", ok(podman.run("wait", id)));
        ok(podman.run("rm", id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc", "sysbox-runc"})
    void runTGetsATerminal(String runtime) {
        assertTrue(ok(podman(runtime).run("run", "--rm", "-t", IMAGE, "tty")).startsWith("/dev/pts/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc", "sysbox-runc"})
    void createdButNeverStartedIsRemovedWholly(String runtime) {
        PrivatePodman podman = podman(runtime);
        String id = ok(podman.run("create", IMAGE, "sleep", "600"));
        ok(podman.run("init", id));  // the runtime's create, through conmon
        assertEquals("initialized", ok(podman.run("inspect", "--format", "{{.State.Status}}", id)), "podman's name for OCI created");
        ok(podman.run("rm", id));
    }

    /**
     * The runtime's `state`, called as podman calls it: the OCI state of the container podman
     * made, with podman's bundle and rootfs (runc's view), not sysbox-runc's converted copy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"runc", "sysbox-runc"})
    void stateNamesPodmansBundleAndRootfs(String runtime) throws IOException {
        PrivatePodman podman = podman(runtime);
        String id = ok(podman.run("run", "-d", IMAGE, "sleep", "600"));
        JsonNode state = JSON.readTree(ok(podman.runtimeCall("state", id)));
        Path bundle = Path.of(state.path("bundle").asText());
        JsonNode config = JSON.readTree(Files.readString(bundle.resolve("config.json")));
        assertEquals(id, state.path("id").asText());
        assertEquals("running", state.path("status").asText());
        assertEquals(ok(podman.run("inspect", "--format", "{{.State.Pid}}", id)), state.path("pid").asText());
        assertTrue(bundle.startsWith(podman.dir()), "podman's bundle: " + bundle);
        assertEquals(config.path("root").path("path").asText(), state.path("rootfs").asText());
        assertEquals(config.path("annotations"), state.path("annotations"));
        ok(podman.run("rm", "-f", "-t", "0", id));
    }
}
