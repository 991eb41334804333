package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;

import io.sysbox.setup.cgroup.CreatedCgroups;
import io.sysbox.setup.state.PrivateDir;
import io.sysbox.setup.state.ContainerRecordFiles;
import io.sysbox.setup.testhook.StepPause;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** delete: the engine removes the container, then the manager releases what it made for it. */
public final class DeleteCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("delete").bool("force", "f");
    /** The steps a test can hold delete at ({@link StepPause}), in their order. */
    static final List<String> STEPS = List.of("delete-begun", "delete-engine-done", "delete-released");

    @Override
    public String name() {
        return "delete";
    }

    @Override
    public String summary() {
        return "delete any resources held by the container";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc delete [command options] <container-id>

                Deletes a stopped container and releases everything made for it: its id range, its
                ID-shifted mounts, its directories and its cgroup.

                Options:
                   --force, -f  forcibly delete the container if it is still running (uses SIGKILL)
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        FlagSet.Parsed p = parse(FLAGS, args, 1);
        String id = p.positional().getFirst();
        GlobalOptions options = invocation.options();
        StepPause pause = StepPause.from(invocation.caller().env());
        Path dir = options.containerDir(id);
        boolean ours = ContainerRecordFiles.exists(dir);
        // A create killed before it wrote its record leaves a private dir (the cgroups it made, a
        // partial spec) and maybe a Prepare: a forced delete settles that too.
        boolean unfinished = !ours && p.bool("force") && Files.isDirectory(dir);
        List<String> engineArgs = new ArrayList<>();
        if (p.bool("force")) engineArgs.add("--force");
        engineArgs.add(id);
        int status = 0;
        boolean engineKnowsIt = Files.exists(options.engineRoot().resolve(id));
        pause.at("delete-begun");
        if (unfinished && !engineKnowsIt) {
            CreatedCgroups.removeRemembered(dir);
            if (!options.noSysboxMgr()) invocation.manager().release(id);
            PrivateDir.remove(dir);
            return 0;
        }
        if (!engineKnowsIt && !ours && p.bool("force")) {
            // Gone already (containerd's shim deletes every container twice, the second time
            // with --force): runc would answer 0 with nothing to do; one engine start saved.
            return 0;
        }
        if (engineKnowsIt || !ours) {
            status = invocation.engine().run("delete", engineArgs);
        }
        if (Files.exists(options.engineRoot().resolve(id))) {
            return status == 0 ? 1 : status; // still there (running without --force): keep its state
        }
        pause.at("delete-engine-done");
        if (ours) {
            // The engine never had it (its create failed first): the cgroups made ahead of it are ours.
            if (!engineKnowsIt) CreatedCgroups.removeRemembered(dir);
            if (ContainerRecordFiles.managedIn(dir)) invocation.manager().release(id);
            pause.at("delete-released");
            PrivateDir.remove(dir);
            return 0;
        }
        return status;
    }
}
