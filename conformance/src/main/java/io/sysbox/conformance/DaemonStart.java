package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Starts a daemon of dist/ with its output appended to a console file, ready once its socket accepts. */
public final class DaemonStart {
    private DaemonStart() {}

    /**
     * Deletes SOCKET first (a killed predecessor leaves its file), starts COMMAND and waits up to
     * TIMEOUT for SOCKET to accept; a daemon that exits or overruns is stopped (SIGTERM, then
     * SIGKILL, by the pid started here) and reported with DIAGNOSIS.
     */
    public static Process start(List<String> command, Path socket, Path console, Duration timeout,
                                Supplier<String> diagnosis) throws IOException {
        Files.deleteIfExists(socket);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ManagerProcess.accepts(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                stop(process);
                throw new IllegalStateException(String.join(" ", command) + " did not open its socket " + socket + ":\n"
                        + diagnosis.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return process;
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
