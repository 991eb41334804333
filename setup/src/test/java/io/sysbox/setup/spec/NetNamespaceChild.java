package io.sysbox.setup.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real process in a network namespace of its own (`unshare -n sleep 60`), so tests can name a
 * namespace that is not the host's. close() kills exactly that pid.
 */
final class NetNamespaceChild implements AutoCloseable {

    private final Process process;

    NetNamespaceChild() throws IOException, InterruptedException {
        process = new ProcessBuilder("unshare", "-n", "sleep", "60").redirectErrorStream(true).start();
        try {
            // unshare(2) happens after fork: wait until the child's link differs from ours.
            String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ours.equals(link("net"))) {
                if (!process.isAlive()) {
                    throw new IOException("unshare -n sleep 60 exited: " + new String(process.getInputStream().readAllBytes()));
                }
                if (System.nanoTime() > deadline) throw new IOException("unshare -n did not enter a new namespace");
                Thread.sleep(10);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    Path nsDir() {
        return Path.of("/proc/" + pid() + "/ns");
    }

    String link(String kind) throws IOException {
        return Files.readSymbolicLink(nsDir().resolve(kind)).toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
