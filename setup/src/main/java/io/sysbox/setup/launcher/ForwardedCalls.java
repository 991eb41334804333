package io.sysbox.setup.launcher;

import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Runs the calls the compiled sysbox-runc launcher forwards to the manager (create, run, exec,
 * delete, state): sysbox-runc's Java CLI parses and runs each one there, warm. The CLI sits above
 * the daemons, so the manager is not built against it: it finds the CLI on its class path at run
 * time ({@link #load}), through the {@link Provider} the CLI's jar registers.
 */
public interface ForwardedCalls {
    /** Runs the call; {@code link} carries each engine run to the launcher and back. Returns the last answer. */
    LauncherAnswer run(LauncherRequest request, LauncherLink link);

    /** Registered by the CLI's jar in META-INF/services. */
    interface Provider {
        /** The CLI, running calls with the manager's RESOURCES (in-process) and the manager's LIBEXEC. */
        ForwardedCalls forManager(ContainerResources resources, Libexec libexec);
    }

    /** The CLI on this class path, if there is one. */
    static Optional<ForwardedCalls> load(ContainerResources resources, Libexec libexec) {
        return ServiceLoader.load(Provider.class).findFirst().map(p -> p.forManager(resources, libexec));
    }
}
