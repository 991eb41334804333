package io.sysbox.runc.cli;

import io.sysbox.runc.engine.LowLevelRuntime;
import io.sysbox.setup.resources.ContainerResources;

import java.io.IOException;
import java.io.PrintStream;

/** What every command gets: the global options, the log, stdio, its caller and the engine. */
public record Invocation(GlobalOptions options, CliLog log, PrintStream out, PrintStream err, Caller caller) {
    public LowLevelRuntime engine() throws IOException {
        return LowLevelRuntime.from(options, caller);
    }

    /** The manager's side of the container's resources (its ids, mounts, emulation). */
    public ContainerResources manager() {
        return caller.manager().apply(options.runDir());
    }
}
