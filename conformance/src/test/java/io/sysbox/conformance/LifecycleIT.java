package io.sysbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 2, acceptance 5: the runc-compatible lifecycle commands. */
class LifecycleIT extends SuiteLifecycle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATUS_WAIT = Duration.ofSeconds(10);

    @Test
    void createStartPsPauseResumeKillDelete() throws Exception {
        String id = env.newContainerId("life");
        BusyboxBundle bundle = env.bundle(id);
        Path pidFile = env.directory("pids").resolve(id + ".pid");
        CommandResult create = containers.runc().run("create", "--bundle", bundle.dir().toString(),
                "--pid-file", pidFile.toString(), id);
        assertEquals(0, create.exitCode(), () -> "create failed:\n" + create.describe());

        JsonNode state = containers.state(id);
        assertEquals("created", state.path("status").asText(), "status after create: " + state);
        assertEquals(id, state.path("id").asText(), "id in state");
        long pid = state.path("pid").asLong();
        assertEquals(String.valueOf(pid), Files.readString(pidFile).strip(), "pid file vs state's pid");
        assertTrue(ProcessHandle.of(pid).isPresent(), "pid " + pid + " from the pid file is not a host process");
        IdMap range = Containers.hostUidMap(pid);  // it is the container's init: in a user ns with a container range

        assertSucceeds(containers.runc().run("start", id), "start");
        containers.awaitStatus(id, "running", STATUS_WAIT);

        CommandResult ps = containers.runc().run("ps", "--format", "json", id);
        assertEquals(0, ps.exitCode(), () -> "ps failed:\n" + ps.describe());
        List<Long> pids = new ArrayList<>();
        JSON.readTree(ps.stdout()).forEach(p -> pids.add(p.asLong()));
        assertTrue(pids.contains(pid), "ps --format json should list the init pid " + pid + ": " + ps.stdout());
        for (long p : pids) {
            assertEquals(range.hostId(), ProcStatus.ofPid(p).realUid(),
                    "host uid of container process " + p + " should be the range start " + range.hostId());
        }

        assertSucceeds(containers.runc().run("pause", id), "pause");
        containers.awaitStatus(id, "paused", STATUS_WAIT);
        assertSucceeds(containers.runc().run("resume", id), "resume");
        containers.awaitStatus(id, "running", STATUS_WAIT);

        assertSucceeds(containers.runc().run("kill", id, "KILL"), "kill");
        containers.awaitStatus(id, "stopped", STATUS_WAIT);
        assertTrue(Containers.awaitGone(pid, STATUS_WAIT), "init " + pid + " still alive after kill");

        assertSucceeds(containers.runc().run("delete", id), "delete");
        CommandResult gone = containers.runc().run("state", id);
        assertNotEquals(0, gone.exitCode(), "state after delete should fail:\n" + gone.describe());
        assertEquals(List.of(), env.leakCheck().leaks(), "delete left something behind");
    }

    @Test
    void deleteForceRemovesARunningContainer() throws Exception {
        String id = containers.startSleeping("force");
        long pid = containers.initPid(id);
        assertEquals("running", containers.status(id));
        assertSucceeds(containers.runc().run("delete", "--force", id), "delete --force");
        assertTrue(Containers.awaitGone(pid, STATUS_WAIT), "init " + pid + " still alive after delete --force");
        assertNotEquals(0, containers.runc().run("state", id).exitCode(), "state after delete --force should fail");
        assertEquals(List.of(), env.leakCheck().leaks(), "delete --force left something behind");
    }

    /** containerd's shim deletes every container twice, the second time with --force: as runc. */
    @Test
    void deleteOfAGoneContainerAnswersAsRunc() throws Exception {
        String id = containers.startSleeping("twice");
        assertSucceeds(containers.runc().run("delete", "--force", id), "delete --force");
        assertSucceeds(containers.runc().run("delete", "--force", id), "a second delete --force");
        CommandResult plain = containers.runc().run("delete", id);
        assertNotEquals(0, plain.exitCode(), "delete of a gone container should fail:\n" + plain.describe());
        assertTrue(plain.stderr().contains("does not exist"), "delete of a gone container should say so:\n" + plain.describe());
        assertEquals(List.of(), env.leakCheck().leaks(), "deleting twice left something behind");
    }

    /** An engine that fails before making its state (here: one that does nothing) must not leave the cgroups made for it. */
    @Test
    void deleteAfterACreateTheEngineNeverRanLeavesNothing() throws Exception {
        String id = env.newContainerId("noengine");
        BusyboxBundle bundle = env.bundle(id);
        CommandResult create = containers.runc().run("--low-level-runtime", "/bin/false", "create",
                "--bundle", bundle.dir().toString(), id);
        assertNotEquals(0, create.exitCode(), "create with an engine that fails should fail:\n" + create.describe());
        assertSucceeds(containers.runc().run("delete", "--force", id), "delete --force after the failed create");
        assertEquals(List.of(), env.leakCheck().leaks(), "a create the engine never ran left something behind");
    }

    /** The same for a foreground run: nobody calls delete, the manager's watch of the caller cleans up. */
    @Test
    void aForegroundRunTheEngineNeverRanLeavesNothing() throws Exception {
        String id = env.newContainerId("noengine-run");
        BusyboxBundle bundle = env.bundle(id);
        CommandResult run = containers.runc().run("--low-level-runtime", "/bin/false", "run",
                "--bundle", bundle.dir().toString(), id);
        assertNotEquals(0, run.exitCode(), "run with an engine that fails should fail:\n" + run.describe());
        long deadline = System.nanoTime() + STATUS_WAIT.toNanos();
        List<String> leaks = env.leakCheck().leaks();
        while (!leaks.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            leaks = env.leakCheck().leaks();
        }
        assertEquals(List.of(), leaks, "a foreground run the engine never ran left something behind");
    }

    @Test
    void execWithATerminalSendsThePtyMasterToTheConsoleSocket() throws Exception {
        String id = containers.startSleeping("tty");
        Path socket = env.directory("sockets").resolve(id + ".sock");
        Path execPid = env.directory("pids").resolve(id + "-exec.pid");
        try (ConsoleSocketServer console = ConsoleSocketServer.listen(socket)) {
            // Engines pass --detach with --console-socket; runc only uses the socket when detached.
            CommandResult exec = containers.runc().run("exec", "--detach", "-t", "--console-socket", socket.toString(),
                    "--pid-file", execPid.toString(), id,
                    "sh", "-c", "tty; test -t 1 && echo is-a-terminal; echo done-$((6*7))");
            assertEquals(0, exec.exitCode(), () -> "exec -t --console-socket failed:\n" + exec.describe());
            console.receiveMaster(Duration.ofSeconds(10));
            String output = console.readUntil("done-42", Duration.ofSeconds(10));
            assertTrue(output.contains("/dev/pts/"), "tty inside should name a pts device: " + output);
            assertTrue(output.contains("is-a-terminal"), "stdout inside should be a terminal: " + output);
            assertTrue(output.contains("done-42"), "terminal output should reach the console socket's master: " + output);
        }
        assertTrue(Files.readString(execPid).strip().matches("\\d+"), "exec --pid-file should hold a pid");
    }

    @Test
    void runDetachedReturnsZeroAndLeavesTheContainerRunning() throws Exception {
        String id = env.newContainerId("run-d");
        BusyboxBundle bundle = env.bundle(id);
        CommandResult run = containers.runc().run("run", "-d", "--bundle", bundle.dir().toString(), id);
        assertEquals(0, run.exitCode(), () -> "run -d failed:\n" + run.describe());
        assertEquals("running", containers.status(id));
        long pid = containers.initPid(id);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "init " + pid + " is not alive");
        assertEquals("alive", containers.exec(id, "echo", "alive").strip(), "exec in the detached container");
    }

    @Test
    void foregroundRunReturnsTheProcessExitCode() throws Exception {
        String id = env.newContainerId("run-fg");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "echo hello-from-inside; exit 7").write();
        CommandResult run = containers.runc().run("run", "--bundle", bundle.dir().toString(), id);
        assertEquals(7, run.exitCode(), () -> "foreground run should return the exit code 7:\n" + run.describe());
        assertTrue(run.stdout().contains("hello-from-inside"), "the process's stdout should be the caller's:\n" + run.describe());
        assertNotEquals(0, containers.runc().run("state", id).exitCode(), "a finished foreground run should leave no container");
        List<String> leaks = env.awaitNoLeaks();
        assertEquals(List.of(), leaks, "a finished foreground run should release everything");
    }

    /**
     * Issue 9, acceptance 4 (runtime-tools' hooks_stdin): the spec's own hooks get the OCI state on
     * stdin with the bundle the caller gave, not sysbox-runc's private one the engine was handed.
     */
    @Test
    void hooksGetTheCallersBundleInTheirState() throws Exception {
        String id = env.newContainerId("hooks");
        BusyboxBundle bundle = env.bundle(id);
        Path states = env.directory("hook-states");
        com.fasterxml.jackson.databind.node.ObjectNode hooks = bundle.config().putObject("hooks");
        for (String kind : List.of("createRuntime", "prestart", "poststart", "poststop")) {
            hooks.putArray(kind).addObject().put("path", "/bin/sh")
                    .putArray("args").add("sh").add("-c").add("cat > " + states.resolve(id + "." + kind));
        }
        bundle.write();
        assertSucceeds(containers.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id), "run -d");
        assertSucceeds(containers.runc().run("delete", "--force", id), "delete --force");
        for (String kind : List.of("createRuntime", "prestart", "poststart", "poststop")) {
            Path state = states.resolve(id + "." + kind);
            assertTrue(Files.exists(state), kind + " hook did not run");
            JsonNode json = JSON.readTree(Files.readString(state));
            assertEquals(bundle.dir().toString(), json.path("bundle").asText(), kind + " hook's state: " + json);
            assertEquals(id, json.path("id").asText(), kind + " hook's state: " + json);
        }
    }

    private static void assertSucceeds(CommandResult result, String what) {
        assertEquals(0, result.exitCode(), () -> what + " failed:\n" + result.describe());
    }
}
