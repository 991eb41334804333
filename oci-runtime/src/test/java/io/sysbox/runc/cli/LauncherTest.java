package io.sysbox.runc.cli;

import com.google.protobuf.ByteString;
import io.sysbox.common.channel.FramedServer;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.runc.engine.LowLevelRuntime;
import io.sysbox.runc.engine.ThisJvm;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.UnmanagedResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled launcher (target/sysbox-runc) run as a process: against a fake engine (a script that
 * records its argv, pid and inputs) and a fake manager (a FramedServer answering what each test
 * scripts), so every byte it forwards or execs is checked. The real manager and runc are the
 * conformance suites' (LifecycleIT, LauncherExecIT).
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of(System.getProperty("runc.launcher", "target/sysbox-runc")).toAbsolutePath();
    /** Words the launcher must pass on byte for byte: spaces, quotes, "--", flags it has never heard of. */
    private static final List<String> AWKWARD = List.of("a b", "it's", "\"quoted\"", "--", "--no-such-flag", "-x=1", "", "$HOME", "*");

    @TempDir
    Path tmp;

    record Result(int status, String stdout, String stderr) {
        String describe() {
            return "exit " + status + ", stdout: " + stdout + ", stderr: " + stderr;
        }
    }

    /** A fake engine: writes its argv (NUL-separated) and pid to files, copies a process file if named, exits with $FAKE_STATUS. */
    private Path fakeEngine() throws IOException {
        Path engine = tmp.resolve("fake-engine");
        Files.writeString(engine, """
                #!/bin/sh
                printf '%%s\\0' "$0" "$@" > %1$s/engine.argv
                echo $$ > %1$s/engine.pid
                prev=
                for a in "$@"; do
                    [ "$prev" = --process ] && cat "$a" > %1$s/engine.process
                    prev=$a
                done
                [ -n "$FAKE_PRINT" ] && printf '%%s' "$FAKE_PRINT"
                if [ -n "$FAKE_WAIT_TERM" ]; then
                    trap 'exit 42' TERM
                    touch %1$s/engine.ready
                    while :; do sleep 0.05; done
                fi
                exit ${FAKE_STATUS:-0}
                """.formatted(tmp));
        Files.setPosixFilePermissions(engine, PosixFilePermissions.fromString("rwxr-xr-x"));
        return engine;
    }

    private List<String> engineArgv() throws IOException {
        String all = Files.readString(tmp.resolve("engine.argv"));
        return Arrays.asList(all.substring(0, all.length() - 1).split("\0", -1));
    }

    private Process start(List<String> args, Map<String, String> env) throws IOException {
        List<String> argv = new ArrayList<>(List.of(LAUNCHER.toString()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private Result finish(Process p) throws Exception {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    private Result run(List<String> args, Map<String, String> env) throws Exception {
        return finish(start(args, env));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** What the Java CLI execs for the same global flags: the launcher must agree word for word. */
    private List<String> javaLine(List<String> globals, String command, List<String> args) throws Exception {
        Map<String, String> env = Map.of("PATH", tmp + ":" + System.getenv("PATH"));
        Caller caller = new Caller(tmp, env, 1, true, new ThisJvm(), runDir -> new UnmanagedResources(),
                Libexec.fromSystemProperty());
        GlobalOptions.Parsed parsed = GlobalOptions.parse(concat(globals, concat(List.of(command), args)), env, tmp);
        return LowLevelRuntime.from(parsed.options(), caller).argv(command, args);
    }

    @Test
    void passThroughCommandsExecTheEngineWithTheJavaClisLine() throws Exception {
        String engine = fakeEngine().toString();
        List<List<String>> globalSets = List.of(
                List.of("--low-level-runtime", engine),
                List.of("--root", "rel//state/", "-low-level-runtime=" + engine, "--log", "x.log", "--log-format", "json",
                        "--debug", "--systemd-cgroup", "--rootless", "true", "--no-sysbox-fs", "--criu", "c"),
                List.of("-root=/a//b/", "--debug=false", "--systemd-cgroup=true", "--low-level-runtime", "fake-engine",
                        "--run-dir", "r", "--"));
        for (List<String> globals : globalSets) {
            for (String command : List.of("start", "kill", "pause", "resume", "ps", "events", "update", "list")) {
                List<String> args = concat(List.of("c1"), AWKWARD);
                Files.deleteIfExists(tmp.resolve("engine.argv"));
                Result r = run(concat(globals, concat(List.of(command), args)),
                        Map.of("PATH", tmp + ":" + System.getenv("PATH")));
                assertEquals(0, r.status(), r::describe);
                assertEquals(javaLine(globals, command, args), engineArgv(), "globals " + globals + ", command " + command);
            }
        }
    }

    @Test
    void theEngineGetsTheLaunchersPidSignalsAndExitStatus() throws Exception {
        String engine = fakeEngine().toString();
        Result exited = run(List.of("--low-level-runtime", engine, "kill", "c1", "KILL"), Map.of("FAKE_STATUS", "7"));
        assertEquals(7, exited.status(), exited::describe);

        Process p = start(List.of("--low-level-runtime", engine, "events", "c1"), Map.of("FAKE_WAIT_TERM", "1"));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!Files.exists(tmp.resolve("engine.ready"))) {
            assertTrue(p.isAlive() && Instant.now().isBefore(deadline), "the fake engine did not start");
            Thread.sleep(10);
        }
        assertEquals(Long.toString(p.pid()), Files.readString(tmp.resolve("engine.pid")).strip(), "the engine is not the launcher's process");
        p.destroy(); // SIGTERM to the launcher's pid: the engine's trap answers it
        assertEquals(42, finish(p).status());
    }

    /** A fake manager on RUN_DIR/sysmgr-cli.sock: each connection answers with SCRIPT, which sees every frame. */
    private FramedServer fakeManager(Path runDir, Function<List<byte[]>, byte[]> script, List<LauncherRequest> seen)
            throws IOException {
        Files.createDirectories(runDir);
        return new FramedServer(runDir.resolve("sysmgr-cli.sock"), () -> {
            List<byte[]> frames = new ArrayList<>();
            return (method, request) -> {
                if (method == ManagerMethod.LAUNCH.code()) seen.add(LauncherRequest.parseFrom(request));
                else assertEquals(ManagerMethod.ENGINE_OUTCOME.code(), method);
                frames.add(request);
                return script.apply(frames);
            };
        }, Throwable::printStackTrace);
    }

    @Test
    void forwardedCallsCarryTheRawArgvCwdEnvironmentAndPid() throws Exception {
        Path runDir = tmp.resolve("run");
        List<LauncherRequest> seen = new CopyOnWriteArrayList<>();
        LauncherAnswer exit = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(5)
                .setStdout(ByteString.copyFromUtf8("out\n")).setStderr(ByteString.copyFromUtf8("err\n")).build();
        try (FramedServer ignored = fakeManager(runDir, frames -> exit.toByteArray(), seen)) {
            for (String command : List.of("create", "run", "exec", "delete", "state")) {
                seen.clear();
                List<String> args = concat(List.of("--run-dir", runDir.toString(), command, "--bundle", "b c"), AWKWARD);
                Process p = start(args, Map.of("SYSBOX_TEST_VAR", "x y=z"));
                Result r = finish(p);
                assertEquals(new Result(5, "out\n", "err\n"), r);
                assertEquals(1, seen.size());
                LauncherRequest request = seen.getFirst();
                assertEquals(args, request.getArgvList());
                assertEquals(tmp.toRealPath().toString(), request.getCwd());
                assertTrue(request.getEnvList().contains("SYSBOX_TEST_VAR=x y=z"), request.getEnvList()::toString);
                assertEquals(p.pid(), request.getPid());
            }
        }
    }

    @Test
    void aCallerWithoutStdioGetsTheManagersStatusNotAWriteError() throws Exception {
        // A CRI shim runs the runtime for a pod sandbox with stdio closed.
        Path runDir = tmp.resolve("run");
        LauncherAnswer exit = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(5)
                .setStdout(ByteString.copyFromUtf8("out\n")).setStderr(ByteString.copyFromUtf8("refused\n")).build();
        try (FramedServer ignored = fakeManager(runDir, frames -> exit.toByteArray(), new CopyOnWriteArrayList<>())) {
            // Closed, and open read-only (as a shim may leave them): writing fails with EBADF either way.
            for (String redirect : List.of(">&- 2>&-", ">/dev/null 2</dev/null")) {
                Process p = new ProcessBuilder("sh", "-c", "exec \"$@\" " + redirect, "sh", LAUNCHER.toString(),
                        "--run-dir", runDir.toString(), "create", "--bundle", "b", "id").directory(tmp.toFile()).start();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end");
                assertEquals(5, p.exitValue(), redirect + ": the manager's status, not the launcher's own failure to write");
            }
        }
    }

    @Test
    void anExecAnswerBecomesTheEngineWithItsMemoryFile() throws Exception {
        Path runDir = tmp.resolve("run");
        String engine = fakeEngine().toString();
        String processJson = "{\"args\":[\"sh\"],\"cwd\":\"/\"}";
        LauncherAnswer exec = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXEC)
                .addAllArgv(List.of(engine, "--root", "/r", "exec", "--process", "(memory file)", "c1"))
                .setMemoryFile(ByteString.copyFromUtf8(processJson)).setMemoryFileArg(5)
                .setStdout(ByteString.copyFromUtf8("before\n")).build();
        List<LauncherRequest> seen = new CopyOnWriteArrayList<>();
        try (FramedServer ignored = fakeManager(runDir, frames -> exec.toByteArray(), seen)) {
            Process p = start(List.of("--run-dir", runDir.toString(), "exec", "c1", "sh"), Map.of("FAKE_STATUS", "3"));
            Result r = finish(p);
            assertEquals(3, r.status(), r::describe);
            assertEquals("before\n", r.stdout());
            assertEquals(Long.toString(p.pid()), Files.readString(tmp.resolve("engine.pid")).strip());
            List<String> argv = engineArgv();
            assertEquals(List.of(engine, "--root", "/r", "exec", "--process"), argv.subList(0, 5));
            assertTrue(argv.get(5).matches("/proc/self/fd/\\d+"), argv::toString);
            assertEquals(processJson, Files.readString(tmp.resolve("engine.process")));
        }
    }

    @Test
    void aRunAnswerRunsTheEngineAsAChildAndReportsItsOutcome() throws Exception {
        Path runDir = tmp.resolve("run");
        String engine = fakeEngine().toString();
        LauncherAnswer run = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.RUN)
                .addAllArgv(List.of(engine, "state", "c1")).setCaptureStdout(true).build();
        List<LauncherRequest> seen = new CopyOnWriteArrayList<>();
        try (FramedServer ignored = fakeManager(runDir, frames -> {
            if (frames.size() == 1) return run.toByteArray();
            try {
                EngineOutcome outcome = EngineOutcome.parseFrom(frames.get(1));
                return LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(outcome.getStatus() + 1)
                        .setStdout(ByteString.copyFromUtf8("engine said: ").concat(outcome.getStdout())).build().toByteArray();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, seen)) {
            Process p = start(List.of("--run-dir", runDir.toString(), "state", "c1"),
                    Map.of("FAKE_PRINT", "{\"id\":\"c1\"}", "FAKE_STATUS", "4"));
            Result r = finish(p);
            assertEquals(new Result(5, "engine said: {\"id\":\"c1\"}", ""), r);
            assertNotEquals(Long.toString(p.pid()), Files.readString(tmp.resolve("engine.pid")).strip(), "a RUN is a child");
        }
    }

    @Test
    void createWithoutAManagerFailsAtOnceNamingTheSocketAndLeavesNothing() throws Exception {
        Path runDir = Files.createDirectories(tmp.resolve("no-manager"));
        Path root = tmp.resolve("state");
        Path log = tmp.resolve("runc.log");
        for (String command : List.of("create", "run")) {
            Result r = run(List.of("--root", root.toString(), "--run-dir", runDir.toString(), "--log", log.toString(),
                    "--log-format", "json", command, "--bundle", tmp.toString(), "c1"), Map.of());
            assertEquals(1, r.status(), r::describe);
            assertTrue(r.stderr().contains("sysbox-mgr is not running") && r.stderr().contains(runDir.resolve("sysmgr-cli.sock").toString())
                    && r.stderr().contains("sysboxd"), r::describe);
            assertEquals("", r.stdout());
            assertTrue(Files.readString(log).contains("\"level\":\"error\",\"msg\":\"sysbox-mgr is not running"), () -> log.toString());
            try (var left = Files.list(runDir)) {
                assertEquals(List.of(), left.toList(), "the launcher left something in the run dir");
            }
            assertTrue(!Files.exists(root), "the launcher made the state root");
        }
    }

    @Test
    void anAnswerItDoesNotUnderstandEndsTheCallWithAClearError() throws Exception {
        Path runDir = tmp.resolve("run");
        Map<String, byte[]> answers = new HashMap<>();
        answers.put("garbage", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        answers.put("unknown action", LauncherAnswer.newBuilder().setActionValue(9).build().toByteArray());
        answers.put("exec without argv", LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXEC).build().toByteArray());
        answers.put("relative engine", LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXEC).addArgv("runc").build().toByteArray());
        for (var answer : answers.entrySet()) {
            try (FramedServer ignored = fakeManager(runDir, frames -> answer.getValue(), new CopyOnWriteArrayList<>())) {
                Result r = run(List.of("--run-dir", runDir.toString(), "create", "c1"), Map.of());
                assertEquals(1, r.status(), answer.getKey() + ": " + r.describe());
                assertTrue(r.stderr().contains("answer on " + runDir.resolve("sysmgr-cli.sock") + " was not understood"),
                        answer.getKey() + ": " + r.describe());
            }
        }
        try (FramedServer ignored = fakeManager(runDir, frames -> {
            throw new IllegalStateException("container \"c1\" has a problem");
        }, new CopyOnWriteArrayList<>())) {
            Result r = run(List.of("--run-dir", runDir.toString(), "create", "c1"), Map.of());
            assertEquals(new Result(1, "", "sysbox-runc: container \"c1\" has a problem\n"), r);
        }
    }

    @Test
    void unknownGlobalFlagsAndHelpGoToTheJavaCli() throws Exception {
        // The Java CLI is not beside target/sysbox-runc: the launcher says it tried to exec it.
        for (List<String> args : List.of(List.of("--no-such-global", "start", "c1"), List.of("--help"), List.of("spec"),
                List.of("start", "--help"), List.of("kill"), List.of("--log-format", "xml", "start", "c1"),
                List.of("--no-sysbox-mgr", "create", "c1"))) {
            Result r = run(args, Map.of());
            assertEquals(1, r.status(), r::describe);
            assertTrue(r.stderr().contains("cannot exec the Java CLI " + LAUNCHER.getParent() + "/../libexec/sysbox-runc-java"),
                    args + ": " + r.describe());
        }
    }
}
