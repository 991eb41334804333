package io.sysbox.runc.cli;

import io.sysbox.runc.engine.EngineProcess;
import io.sysbox.runc.engine.ThisJvm;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.runc.manager.ManagerClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Who made this sysbox-runc call: its working directory and environment (relative paths and PATH
 * are the caller's), its pid (the process that becomes the engine, whose cgroup, capabilities and
 * namespaces the container's setup reads), whether it is root, the process its engine runs in,
 * how it reaches the manager's resources (given the run dir), and where the installation's helpers
 * are (the JVM's configuration: the CLI's own, or the manager's for a forwarded call).
 *
 * @param cwd absolute
 */
public record Caller(Path cwd, Map<String, String> env, long pid, boolean root, EngineProcess engineProcess,
                     Function<Path, ContainerResources> manager, Libexec libexec) {
    public Caller {
        if (!cwd.isAbsolute()) throw new IllegalArgumentException("the caller's cwd must be absolute: " + cwd);
        env = Map.copyOf(env);
    }

    /** The Java CLI run as its own process (the launcher's fallback): it reaches the manager over its socket. */
    public static Caller thisJvm() {
        return new Caller(Path.of("").toAbsolutePath(), System.getenv(), ProcessHandle.current().pid(),
                runningAsRoot(), new ThisJvm(), ManagerClient::new, Libexec.fromSystemProperty());
    }

    /** /proc/self is owned by the process's effective uid: a stat, no downcall to geteuid. */
    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
