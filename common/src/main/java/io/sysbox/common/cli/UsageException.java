package io.sysbox.common.cli;

/** Wrong command line: printed with a pointer to the command's help, exit status 2... as runc: 1. */
public final class UsageException extends Exception {
    private final String command;

    public UsageException(String command, String message) {
        super(message);
        this.command = command;
    }

    public String command() {
        return command;
    }
}
