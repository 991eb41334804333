package io.sysbox.runc.cli;

import io.sysbox.common.cli.UsageException;

import java.util.List;

/**
 * Commands where a system container behaves exactly like any container: sysbox-runc becomes the
 * engine with the caller's arguments (on its own state root), so output, exit status and
 * streaming (events, ps) are the engine's.
 */
public record PassThroughCommand(String name, String summary, String usage, int minArgs) implements Command {
    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        if (args.contains("--help") || args.contains("-h")) throw new HelpRequested();
        long positional = args.stream().filter(a -> !a.startsWith("-")).count();
        if (positional < minArgs) {
            throw new UsageException(name, "\"" + name + "\" requires a container id");
        }
        invocation.engine().become(name, args);
        return 1;
    }
}
