package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;

import java.util.List;

/**
 * run: prepare, then become `runc run`. The engine then owns the terminal, forwards signals and
 * exits with the container process's status; the manager releases the container's state once
 * that process is gone (it watches the pid that becomes the engine's).
 */
public final class RunCommand implements Command {
    static final FlagSet FLAGS = CreateCommand.flags("run").bool("detach", "d").bool("keep");

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "create and run a system container";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc run [command options] <container-id>

                Creates and starts a system container from the bundle. In the foreground it exits with
                the container process's exit status and removes the container when it ends.

                Options:
                   --bundle value, -b value  path to the bundle directory (default: the current directory)
                   --console-socket value    AF_UNIX socket that receives the master end of the console pty
                   --detach, -d              detach from the container's process
                   --keep                    keep the container's state after it exits (foreground only)
                   --pid-file value          file to write the container's init pid to
                   --no-pivot                do not use pivot_root to jail the process in its rootfs
                   --no-new-keyring          do not create a new session keyring
                   --preserve-fds value      number of extra fds to pass to the container (default: 0)
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        return CreateCommand.becomeEngine(this, FLAGS, invocation, args, List.of("detach", "keep"));
    }
}
