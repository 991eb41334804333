package io.sysbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Container operations the suites repeat, each asserting that sysbox-runc did its part. */
final class Containers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SuiteEnvironment env;

    Containers(SuiteEnvironment env) {
        this.env = env;
    }

    SysboxRunc runc() {
        return env.runc();
    }

    /** A new container running `sleep 3600` from a fresh busybox bundle; returns its id. */
    String startSleeping(String hint) throws IOException {
        String id = env.newContainerId(hint);
        runDetached(env.bundle(id), id);
        return id;
    }

    void runDetached(BusyboxBundle bundle, String id) {
        CommandResult run = runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertEquals(0, run.exitCode(), () -> "run --detach failed:\n" + run.describe());
    }

    /** stdout of CMD run inside container ID by `exec` (no terminal), which must succeed. */
    String exec(String id, String... cmd) {
        return execWith(id, List.of(), cmd);
    }

    String execWith(String id, List<String> execFlags, String... cmd) {
        List<String> args = new ArrayList<>(List.of("exec"));
        args.addAll(execFlags);
        args.add(id);
        args.addAll(List.of(cmd));
        CommandResult result = runc().run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), () -> "exec in " + id + " failed:\n" + result.describe());
        return result.stdout();
    }

    /** The OCI state JSON of ID (the command must succeed). */
    JsonNode state(String id) throws IOException {
        CommandResult result = runc().run("state", id);
        assertEquals(0, result.exitCode(), () -> "state " + id + " failed:\n" + result.describe());
        return JSON.readTree(result.stdout());
    }

    String status(String id) throws IOException {
        return state(id).path("status").asText();
    }

    long initPid(String id) throws IOException {
        long pid = state(id).path("pid").asLong();
        assertTrue(pid > 0, "state of " + id + " has no pid");
        return pid;
    }

    /** Polls `state` until it reports WANTED (bounded). */
    void awaitStatus(String id, String wanted, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = status(id);
        while (!status.equals(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = status(id);
        }
        assertEquals(wanted, status, "status of " + id + " after waiting " + timeout);
    }

    /** The single `0 H 65536` line of a uid_map/gid_map text, checked to be a safe container range. */
    static IdMap singleContainerRange(String mapText, String what) {
        List<IdMap> maps = IdMap.parse(mapText);
        assertEquals(1, maps.size(), what + " should have exactly one line, was:\n" + mapText);
        IdMap map = maps.getFirst();
        assertEquals(0, map.containerId(), what + " must start at container id 0: " + map);
        assertEquals(65536, map.size(), what + " must map 65536 ids: " + map);
        assertTrue(map.hostId() != 0, what + " maps container root to host id 0 (host root): " + map);
        return map;
    }

    /** The uid map of a host process, as the host sees it. */
    static IdMap hostUidMap(long pid) throws IOException {
        return singleContainerRange(Files.readString(Path.of("/proc/" + pid + "/uid_map")), "/proc/" + pid + "/uid_map");
    }

    /**
     * A non-zero exit whose message names every keyword in its own words: the suite's paths
     * (which contain words like "root" and "bundles") are blanked out before matching.
     */
    void assertRefused(CommandResult result, String... keywords) {
        if (result.exitCode() == 0) fail("expected a refusal but it succeeded:\n" + result.describe());
        String words = messageWords(result);
        for (String keyword : keywords) {
            assertTrue(words.contains(keyword.toLowerCase()),
                    "the error message should mention \"" + keyword + "\" (outside of paths):\n" + result.describe());
        }
    }

    /** The lower-cased stderr with every path under the suite's temp tree replaced by "<path>". */
    String messageWords(CommandResult result) {
        return result.stderr().replaceAll(Pattern.quote(env.work().toString()) + "[^\\s\"',:)]*", "<path>").toLowerCase();
    }

    /** True when PID no longer exists within TIMEOUT. */
    static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) return true;
            Thread.sleep(20);
        }
        return false;
    }
}
