package io.sysbox.runc.cli;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.setup.container.ContainerSetup;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.UnmanagedResources;
import io.sysbox.setup.testhook.StepPause;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The converted bundle create and run hand to the engine. The call runs in the manager (the
 * launcher forwards it), so the setup's resources are the manager's own, in-process; only
 * --no-sysbox-mgr (testing without daemons, run by the Java CLI) sets up with none.
 */
final class ContainerBundle {
    private ContainerBundle() {}

    static Path prepare(Invocation invocation, String id, Path bundle) throws IOException, InvalidSpecException {
        GlobalOptions o = invocation.options();
        ContainerResources resources = o.noSysboxMgr() ? new UnmanagedResources() : invocation.manager();
        return new ContainerSetup(resources, invocation.caller().libexec(), invocation.log()::debug,
                StepPause.from(invocation.caller().env()))
                .prepare(new ContainerSetup.Target(id, bundle, o.engineRoot(), o.containerDir(id),
                        invocation.caller().pid(), o.systemdCgroup(), !o.noSysboxFs()));
    }
}
