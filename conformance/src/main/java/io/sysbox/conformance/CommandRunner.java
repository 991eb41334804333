package io.sysbox.conformance;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion within a time limit. Output goes to files, not pipes: a
 * detached container inherits the runtime's stdout and would hold a pipe open for its whole
 * life, so reading a pipe to EOF would wait for the container instead of the command.
 */
public final class CommandRunner {
    private static final File DEV_NULL = new File("/dev/null");

    private final Path scratch;
    private final Duration timeout;

    public CommandRunner(Path scratch, Duration timeout) {
        this.scratch = scratch;
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    public CommandResult run(List<String> command) {
        return run(command, null);
    }

    /** Runs COMMAND with STDIN (or /dev/null when null); kills it (by its pid) if it overruns. */
    public CommandResult run(List<String> command, byte[] stdin) {
        Path out = null, err = null;
        try {
            out = Files.createTempFile(scratch, "stdout-", ".txt");
            err = Files.createTempFile(scratch, "stderr-", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) builder.redirectInput(DEV_NULL);
            Process process = builder.start();
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "; killed it. stdout so far: " + Files.readString(out).strip()
                        + "; stderr so far: " + Files.readString(err).strip());
            }
            return new CommandResult(List.copyOf(command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The scratch directory is removed as a whole at the end anyway.
        }
    }
}
