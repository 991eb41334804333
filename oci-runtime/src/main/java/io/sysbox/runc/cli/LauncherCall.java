package io.sysbox.runc.cli;

import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.runc.engine.InLauncher;
import io.sysbox.setup.launcher.ForwardedCalls;
import io.sysbox.setup.launcher.LauncherLink;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One call of the compiled launcher (create, run, exec, delete, state), run by the manager: the
 * launcher sends its raw argv, cwd, environment and pid, and this is the Java CLI parsing and
 * running it as if it were that process, with the engine run in the launcher's process
 * ({@link InLauncher}). The launcher itself knows only which commands to forward.
 */
public final class LauncherCall implements ForwardedCalls {
    private final ContainerResources manager;
    private final Libexec libexec;

    /**
     * @param manager the manager's resources, in-process
     * @param libexec the installation's helpers, as the manager was configured
     */
    public LauncherCall(ContainerResources manager, Libexec libexec) {
        this.manager = manager;
        this.libexec = libexec;
    }

    /**
     * Runs the call; {@code link} carries each engine run to the launcher and back. Returns the
     * last answer (exit, or become the engine).
     */
    @Override
    public LauncherAnswer run(LauncherRequest request, LauncherLink link) {
        if (request.getPid() <= 0) throw new IllegalArgumentException("the launcher's call has no pid");
        Path cwd = Path.of(request.getCwd());
        if (!cwd.isAbsolute()) throw new IllegalArgumentException("the launcher's cwd is not absolute: " + cwd);
        Map<String, String> env = new HashMap<>();
        for (String entry : request.getEnvList()) {
            int eq = entry.indexOf('=');
            if (eq > 0) env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
        }
        InLauncher process = new InLauncher(link);
        // The launcher's socket is root's alone (0600), so its caller is root.
        Caller caller = new Caller(cwd, env, request.getPid(), true, process, runDir -> manager, libexec);
        int status = new SysboxRunc(process.out(), process.err())
                .run(request.getArgvList().toArray(String[]::new), caller);
        return process.finalAnswer(status);
    }
}
