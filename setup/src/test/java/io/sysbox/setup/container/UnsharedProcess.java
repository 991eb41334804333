package io.sysbox.setup.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real process in namespaces of its own ({@code unshare FLAGS sleep 60}), so tests can name
 * namespaces that are not the host's. close() kills exactly that pid.
 */
final class UnsharedProcess implements AutoCloseable {
    private final Process process;

    /** KIND: a namespace the flags make, waited for until the process is in it. */
    UnsharedProcess(String kind, String... flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(List.of(flags));
        command.addAll(List.of("sleep", "60"));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // unshare(2) happens after fork: wait until the child's link differs from ours.
            Path ours = Path.of("/proc/self/ns", kind);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.readSymbolicLink(ours).equals(Files.readSymbolicLink(ns(kind)))) {
                if (!process.isAlive()) {
                    throw new IOException(command + " exited: " + new String(process.getInputStream().readAllBytes()));
                }
                if (System.nanoTime() > deadline) throw new IOException(command + " did not enter a new " + kind + " namespace");
                Thread.sleep(10);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    Path ns(String kind) {
        return Path.of("/proc", Long.toString(process.pid()), "ns", kind);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
