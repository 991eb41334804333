package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;
import io.sysbox.common.cli.UsageException;

import java.util.List;

/** One sysbox-runc command, runc's way: a name, a one-line summary, its usage text. */
public interface Command {
    String name();

    String summary();

    String usage();

    /** Returns the exit status; commands that become the engine do not return. */
    int run(Invocation invocation, List<String> args) throws Exception;

    /** Parses flags, answering --help, and checks the positional count. */
    default FlagSet.Parsed parse(FlagSet flags, List<String> args, int minPositional) throws UsageException {
        FlagSet.Parsed parsed = flags.parse(args);
        if (parsed.bool("help")) throw new HelpRequested();
        if (parsed.positional().size() < minPositional) {
            throw new UsageException(name(), "\"" + name() + "\" requires "
                    + (minPositional == 1 ? "a container id" : "at least " + minPositional + " arguments"));
        }
        return parsed;
    }

    /** Thrown by {@link #parse} for --help: the dispatcher prints the usage. */
    final class HelpRequested extends RuntimeException {
        public HelpRequested() {
            super(null, null, false, false);
        }
    }
}
