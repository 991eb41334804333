package io.sysbox.runc.cli;

import io.sysbox.setup.cgroup.CreatedCgroups;
import io.sysbox.setup.state.PrivateDir;
import io.sysbox.setup.state.ContainerRecordFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** delete: the engine removes the container, then the manager releases what it made for it. */
public final class DeleteCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("delete").bool("force", "f");

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
        Path dir = options.containerDir(id);
        boolean ours = ContainerRecordFiles.exists(dir);
        List<String> engineArgs = new ArrayList<>();
        if (p.bool("force")) engineArgs.add("--force");
        engineArgs.add(id);
        int status = 0;
        boolean engineKnowsIt = Files.exists(options.engineRoot().resolve(id));
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
        if (ours) {
            // The engine never had it (its create failed first): the cgroups made ahead of it are ours.
            if (!engineKnowsIt) CreatedCgroups.removeRemembered(dir);
            if (ContainerRecordFiles.managedIn(dir)) invocation.manager().release(id);
            PrivateDir.remove(dir);
            return 0;
        }
        return status;
    }
}
