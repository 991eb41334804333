package io.sysbox.conformance;

import java.util.List;

/** What one finished command did: enough to assert on and to explain a failure. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The command, its status and both outputs, for assertion messages. */
    public String describe() {
        return String.join(" ", command) + "\n  exit status: " + exitCode
                + "\n  stdout: " + stdout.strip() + "\n  stderr: " + stderr.strip();
    }

    public CommandResult requireSuccess() {
        if (exitCode != 0) throw new IllegalStateException("command failed:\n" + describe());
        return this;
    }
}
