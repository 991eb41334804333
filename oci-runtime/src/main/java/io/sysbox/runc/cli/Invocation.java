package io.sysbox.runc.cli;

import io.sysbox.runc.engine.LowLevelRuntime;

import java.io.IOException;
import java.io.PrintStream;

/** What every command gets: the global options, the log, stdio, and the engine. */
public record Invocation(GlobalOptions options, CliLog log, PrintStream out, PrintStream err) {
    public LowLevelRuntime engine() throws IOException {
        return LowLevelRuntime.from(options);
    }
}
