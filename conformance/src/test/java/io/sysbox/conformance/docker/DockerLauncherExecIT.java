package io.sysbox.conformance.docker;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.ExecveTrace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, acceptance 2: `docker run --rm busybox true` under {@code strace -f -e trace=execve} of
 * the private dockerd and its containerd: the shim's calls of sysbox-runc (create, start, delete)
 * exec runc, and nothing execs java.
 */
class DockerLauncherExecIT {
    @Test
    void dockerRunExecsNoJava() throws Exception {
        try (DockerEnvironment env = DockerEnvironment.start("docker-launcher", Map.of())) {
            String busybox = env.image("busybox");
            List<ExecveTrace.Exec> execs;
            try (ExecveTrace trace = ExecveTrace.attach(env.dockerd().pid(), env.suite().directory("traces").resolve("docker.trace"))) {
                CommandResult run = env.run("--rm", busybox, "true");
                assertEquals(0, run.exitCode(), () -> run.describe() + "\n" + env.dockerd().logTail());
                execs = trace.stop();
            }
            for (String call : List.of("create", "start", "delete")) {
                assertTrue(execs.stream().anyMatch(e -> e.path().endsWith("/bin/sysbox-runc") && e.argv().contains("\"" + call + "\"")),
                        () -> "the trace shows no sysbox-runc " + call + ": " + execs);
            }
            assertEquals(List.of(), execs.stream().filter(ExecveTrace.Exec::isJava).toList(), "a runtime call started a JVM");
        }
    }
}
