package io.sysbox.install.cli;

/** A command line that cannot be run as given; the message says what to write instead. */
public final class UsageException extends Exception {
    private final String command;

    public UsageException(String command, String message) {
        super(message);
        this.command = command;
    }

    /** The subcommand whose usage applies ("" for the top level). */
    public String command() {
        return command;
    }
}
