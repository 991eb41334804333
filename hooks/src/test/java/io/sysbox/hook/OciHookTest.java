package io.sysbox.hook;

import io.sysbox.common.channel.FramedServer;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.OciHookAnswer;
import io.sysbox.common.proto.OciHookRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built sysbox-oci-hook against a framed-channel server standing in for sysbox-mgr, on a socket
 * of the test's own run dir: it forwards the state and the pid, follows the answer, prints refusals.
 */
class OciHookTest {
    private static final Path HOOK = Path.of(System.getProperty("oci.hook", "target/sysbox-oci-hook"));
    private static final String STATE = "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
            + "\"bundle\":\"/b\",\"annotations\":{\"io.sysbox.syscont\":\"true\"}}";

    @TempDir
    Path runDir;
    private FramedServer server;
    private final List<OciHookRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Byte> methods = new CopyOnWriteArrayList<>();

    record Result(int status, long pid, String stdout, String stderr) {
        String describe() {
            return "exit " + status + ", stdout: " + stdout + ", stderr: " + stderr;
        }
    }

    /** Serves the hook's calls with ANSWER (which may throw: an error frame with its message). */
    private void serve(Function<OciHookRequest, byte[]> answer) throws IOException {
        server = new FramedServer(runDir.resolve("sysmgr-cli.sock"), () -> (method, request) -> {
            methods.add(method);
            OciHookRequest parsed = OciHookRequest.parseFrom(request);
            requests.add(parsed);
            return answer.apply(parsed);
        }, Throwable::printStackTrace);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
    }

    private Result hook(byte[] stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(HOOK.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // it may exit on bad arguments before reading
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the hook did not end");
        return new Result(p.exitValue(), p.pid(), out, err);
    }

    private Result hook(String stdin) throws Exception {
        return hook(stdin.getBytes(StandardCharsets.UTF_8), "--run-dir", runDir.toString());
    }

    @Test
    void forwardsTheStateAndItsPidAndEndsWhenTheAnswerHasNothingToDo() throws Exception {
        assertTrue(Files.isExecutable(HOOK), HOOK + " not built (the compile phase of the hooks module builds it)");
        serve(r -> OciHookAnswer.getDefaultInstance().toByteArray());
        Result r = hook(STATE);
        assertEquals(0, r.status(), r.describe());
        assertEquals("", r.stdout() + r.stderr());
        assertEquals(List.of(ManagerMethod.OCI_HOOK.code()), methods);
        assertEquals(STATE, requests.getFirst().getState().toStringUtf8());
        assertEquals(r.pid(), requests.getFirst().getPid(), "the hook's own pid: its namespaces are the runtime's");
    }

    @Test
    void execsTheAnsweredCommandWithTheSameStateOnStdin() throws Exception {
        Path out = runDir.resolve("seen");
        serve(r -> OciHookAnswer.newBuilder().addArgv("/bin/sh").addArgv("-c").addArgv("cat > \"$0\"; echo \"$1\" >> \"$0\"")
                .addArgv(out.toString()).addArgv("second word").build().toByteArray());
        // A large state (runtimes put every annotation in it) arrives whole, twice.
        String big = STATE.replace("\"io.sysbox.syscont\":\"true\"", "\"io.sysbox.syscont\":\"true\",\"x\":\""
                + "y".repeat(300_000) + "\"");
        Result r = hook(big);
        assertEquals(0, r.status(), r.describe());
        assertEquals(big + "second word\n", Files.readString(out));
        assertEquals(big, requests.getFirst().getState().toStringUtf8());
    }

    @Test
    void theManagersRefusalIsPrintedAndFailsTheHook() throws Exception {
        serve(r -> {
            throw new IllegalStateException("container c1: linux.namespaces has no \"user\" entry");
        });
        Result r = hook(STATE);
        assertEquals(1, r.status(), r.describe());
        assertEquals("sysbox-oci-hook: container c1: linux.namespaces has no \"user\" entry\n", r.stderr());
    }

    @Test
    void noManagerIsNamedWithItsSocket() throws Exception {
        Result r = hook(STATE);
        assertEquals(1, r.status(), r.describe());
        assertEquals("sysbox-oci-hook: cannot reach sysbox-mgr on " + runDir.resolve("sysmgr-cli.sock")
                + ": No such file or directory (is sysboxd running?)\n", r.stderr());
    }

    @Test
    void anAnswerItCannotFollowIsNotFollowed() throws Exception {
        Path out = runDir.resolve("never");
        serve(r -> OciHookAnswer.newBuilder().addArgv("sh").addArgv("-c").addArgv("touch " + out).build().toByteArray());
        Result relative = hook(STATE);
        assertEquals(1, relative.status(), relative.describe());
        assertTrue(relative.stderr().startsWith("sysbox-oci-hook: sysbox-mgr's answer on " + runDir.resolve("sysmgr-cli.sock")
                + " was not understood"), relative.describe());
        assertTrue(Files.notExists(out));
    }

    @Test
    void badArgumentsAndOversizedStatesAreRefusedBeforeAnyCall() throws Exception {
        serve(r -> OciHookAnswer.getDefaultInstance().toByteArray());
        Result usage = hook(STATE.getBytes(StandardCharsets.UTF_8), "--run-dir");
        assertEquals(1, usage.status(), usage.describe());
        assertTrue(usage.stderr().startsWith("sysbox-oci-hook: usage: sysbox-oci-hook [--run-dir DIR] < OCI-STATE"),
                usage.describe());
        byte[] huge = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        Result oversized = hook(huge, "--run-dir", runDir.toString());
        assertEquals(1, oversized.status(), oversized.describe());
        assertEquals("sysbox-oci-hook: the OCI state on stdin is larger than 1048576 bytes\n", oversized.stderr());
        assertEquals(List.of(), requests);
        assertArrayEquals(new Byte[0], methods.toArray(new Byte[0]));
    }
}
