package io.sysbox.install.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of sysbox-install. */
interface Command {
    String name();

    /** One line for the overview. */
    String summary();

    /** What `sysbox-install NAME --help` prints. */
    String usage();

    /** Runs with ARGS (the words after the subcommand's name); the exit status. */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
