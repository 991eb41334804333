package io.sysbox.runc.engine;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The process the engine runs in: the caller's own. For the Java CLI that is this JVM
 * ({@link ThisJvm}); for a call the compiled launcher forwarded to the manager it is the
 * launcher's, which runs or becomes the engine when the manager's answer says so
 * ({@link InLauncher}).
 */
public sealed interface EngineProcess permits ThisJvm, InLauncher {
    /**
     * Replaces the caller with the engine: it then owns the caller's pid, terminal, signals and
     * exit status. In this JVM it does not return; for the launcher it records the answer, and
     * the command returns without doing anything more.
     */
    void become(List<String> argv, Optional<MemoryFileArg> file) throws IOException;

    /** Runs the engine as a child with the caller's stdio; returns its exit status. */
    int run(List<String> argv) throws IOException;

    /** Runs the engine as a child, capturing its stdout (stderr is the caller's). */
    Captured capture(List<String> argv) throws IOException;

    /**
     * A memory file the engine inherits (exec's process.json: nothing is left on disk), named in
     * the engine's argv at {@code index} by its /proc/self/fd path.
     */
    record MemoryFileArg(int index, byte[] content) {}

    record Captured(int exitCode, byte[] stdout) {}
}
