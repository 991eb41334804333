package io.sysbox.runc.cli;

import io.sysbox.runc.manager.ManagerClient;
import io.sysbox.runc.state.ContainerRecord;
import io.sysbox.runc.state.ContainerRecordFiles;

import java.io.IOException;
import java.util.List;

/**
 * The AOT cache of state, exec and the other commands is recorded from one `run`
 * (deploy/host/aot-train.sh); create and run, delete, and the commands that only become the
 * engine (start, kill, ...) get lighter caches of their own. While recording, the run also goes through what those
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
        ContainerRecordFiles.exists(o.containerDir(id));
        new ManagerClient(o.runDir()).release(id + "-aot-training-none");
    }
}
