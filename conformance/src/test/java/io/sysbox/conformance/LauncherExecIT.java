package io.sysbox.conformance;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, acceptance 2: no runtime call starts a JVM. Each call of a container's life runs under
 * {@code strace -f -e trace=execve}: create, state, start, kill, delete exec sysbox-runc and then
 * the engine (runc), never java; the call's own work ran in the warm manager. create is traced
 * without -f (its `runc init` waits for start): the exec chain of the caller's pid, which is
 * where the launcher would have exec'd a JVM. The lifecycle is
 * checked as it goes (state's bundle is the caller's), so the trace is of calls that did their job.
 */
class LauncherExecIT extends SuiteLifecycle {
    @Test
    void aContainersLifeExecsNoJava() throws Exception {
        String id = env.newContainerId("noj");
        BusyboxBundle bundle = env.bundle(id);
        Path traces = env.directory("traces");
        List<String[]> calls = List.of(
                new String[] {"create", "--bundle", bundle.dir().toString(), id},
                new String[] {"state", id},
                new String[] {"start", id},
                new String[] {"kill", id, "KILL"},
                new String[] {"delete", "--force", id});
        for (String[] call : calls) {
            ExecveTrace.Traced traced = ExecveTrace.of(env.runner(), traces.resolve(call[0] + ".trace"),
                    env.runc().command(call), !call[0].equals("create"));
            assertEquals(0, traced.result().exitCode(), () -> String.join(" ", call) + ":\n" + traced.result().describe());
            List<ExecveTrace.Exec> execs = traced.execs();
            assertFalse(execs.isEmpty(), "strace saw no execve of " + call[0]);
            assertTrue(execs.getFirst().path().endsWith("/bin/sysbox-runc"), () -> "first exec: " + execs.getFirst());
            List<ExecveTrace.Exec> jvms = execs.stream().filter(ExecveTrace.Exec::isJava).toList();
            assertEquals(List.of(), jvms, call[0] + " started a JVM");
            assertTrue(execs.stream().anyMatch(e -> e.path().endsWith("/runc") && e.argv().contains("\"" + call[0] + "\"")),
                    () -> call[0] + " did not exec the engine: " + execs);
            if (call[0].equals("state")) {
                assertTrue(traced.result().stdout().contains("\"bundle\" : \"" + bundle.dir() + "\""),
                        () -> "state shows the caller's bundle: " + traced.result().stdout());
            }
            if (call[0].equals("kill")) containers.awaitStatus(id, "stopped", Duration.ofSeconds(10));
        }
        assertEquals(List.of(), env.leakCheck().leaks(), "delete left something behind");
    }
}
