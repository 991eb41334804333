package io.sysbox.runc.cli;

import io.sysbox.runc.manager.ManagerClient;
import io.sysbox.runc.state.ContainerRecord;

import java.io.IOException;
import java.util.List;

/**
 * The AOT cache is recorded from one `run` (deploy/host/aot-train.sh); start, delete, state and
 * kill get a lighter cache of their own (recorded from a delete), but every other command (exec,
 * ps, pause, update...) uses this one. While recording, the run also goes through what those
 * commands load: spawning the engine (a quiet `list`), the container's record (JSON), a Release
 * to the manager (of an id nobody has, which the manager answers "unknown").
 */
final class TrainingRun {
    static final String ENV = "SYSBOX_AOT_TRAIN";

    private TrainingRun() {}

    static boolean active() {
        return System.getenv(ENV) != null;
    }

    static void exerciseOtherCommands(Invocation invocation, String id) throws IOException, InterruptedException {
        GlobalOptions o = invocation.options();
        invocation.engine().capture("list", List.of("--quiet"));
        ContainerRecord.read(o.containerDir(id));
        ContainerRecord.exists(o.containerDir(id));
        new ManagerClient(o.runDir()).release(id + "-aot-training-none");
    }
}
