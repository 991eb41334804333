package io.sysbox.runc.cli;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.runc.container.ContainerSetup;
import io.sysbox.runc.manager.CreateCall;
import io.sysbox.runc.manager.ManagerClient;
import io.sysbox.runc.manager.UnmanagedResources;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The converted bundle create and run hand to the engine. The manager builds it: its JVM is
 * warm, so reading, validating and converting the spec costs it about a millisecond, where this
 * short-lived CLI would spend tens of milliseconds loading JSON and conversion classes. Only
 * --no-sysbox-mgr (testing without daemons) runs the same setup in this process.
 */
final class ContainerBundle {
    private ContainerBundle() {}

    /**
     * The process that becomes the engine: the launcher's shell when it does the exec (it says so
     * in SYSBOX_ENGINE_PID), else this JVM. The manager watches it to release a foreground run.
     */
    private static long enginePid() {
        String launcher = System.getenv("SYSBOX_ENGINE_PID");
        long self = ProcessHandle.current().pid();
        if (launcher == null || System.getenv("SYSBOX_EXEC_FD") == null) return self;
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        return launcher.equals(Long.toString(parent)) ? parent : self;
    }

    static Path prepare(Invocation invocation, String id, Path bundle) throws IOException, InvalidSpecException {
        GlobalOptions o = invocation.options();
        long pid = enginePid();
        if (o.noSysboxMgr()) {
            return new ContainerSetup(new UnmanagedResources(), invocation.log()::debug)
                    .prepare(new ContainerSetup.Target(id, bundle, o.engineRoot(), o.containerDir(id), pid,
                            o.systemdCgroup(), !o.noSysboxFs()));
        }
        return Path.of(new ManagerClient(o.runDir()).create(new CreateCall.Request(id, bundle.toString(),
                o.engineRoot().toString(), o.containerDir(id).toString(), (int) pid, o.systemdCgroup(), o.noSysboxFs())));
    }
}
