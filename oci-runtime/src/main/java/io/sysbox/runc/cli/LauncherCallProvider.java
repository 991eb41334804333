package io.sysbox.runc.cli;

import io.sysbox.setup.Libexec;
import io.sysbox.setup.launcher.ForwardedCalls;
import io.sysbox.setup.resources.ContainerResources;

/** How the manager, which is not built against the CLI, gets it (META-INF/services). */
public final class LauncherCallProvider implements ForwardedCalls.Provider {
    @Override
    public ForwardedCalls forManager(ContainerResources resources, Libexec libexec) {
        return new LauncherCall(resources, libexec);
    }
}
