package io.sysbox.mgr.idmap;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A fresh user namespace with a container's mapping (and optionally network, ipc and uts
 * namespaces it owns), alive while a piece of work runs with the pid of a process inside it;
 * whatever the work opens or mounts of {@code /proc/PID/ns/*} keeps the namespaces alive afterwards.
 *
 * <p>The JVM cannot unshare(CLONE_NEWUSER) itself (the kernel refuses it to a multi-threaded
 * process), so a helper does: {@code unshare --user [--net] [--ipc] [--uts] -- cat}. Echoing one byte through
 * cat proves the unshare happened and cat is running in the new namespaces; their maps are then
 * written from outside, as the parent namespace's root may.
 */
public final class NewNamespaces {
    private static final int HELPER_TIMEOUT_SECONDS = 10;

    /** What runs while the helper is inside the new namespaces. */
    public interface Work<T> {
        T inside(long pid) throws IOException;
    }

    private NewNamespaces() {}

    /** @param owned the namespaces made beside the user namespace (unshare makes them after it: it owns them) */
    public static <T> T with(ContainerMapping mapping, Set<OwnedNamespace> owned, Work<T> work) throws IOException {
        List<String> command = new ArrayList<>(List.of("unshare", "--user"));
        for (OwnedNamespace kind : OwnedNamespace.values()) {
            if (owned.contains(kind)) command.add(kind.unshareOption());
        }
        command.addAll(List.of("--", "cat"));
        ProcessBuilder builder = new ProcessBuilder(command);
        Process helper = builder.start();
        try {
            OutputStream stdin = helper.getOutputStream();
            InputStream stdout = helper.getInputStream();
            stdin.write('u');
            stdin.flush();
            if (stdout.read() != 'u') {
                String error = new String(helper.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IOException("cannot create a user namespace with `" + String.join(" ", builder.command())
                        + "`: " + (error.isEmpty() ? "it exited without running cat" : error));
            }
            Path proc = Path.of("/proc", Long.toString(helper.pid()));
            writeMap(proc.resolve("uid_map"), mapping.uid());
            writeMap(proc.resolve("gid_map"), mapping.gid());
            T result = work.inside(helper.pid());
            stdin.close();
            try {
                if (!helper.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("namespace helper (pid " + helper.pid() + ") did not exit");
                }
            } catch (InterruptedException | IOException e) {
                // What the work opened (a namespace fd) must not outlive a failed call.
                if (result instanceof AutoCloseable opened) closeQuietly(opened);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the namespace helper", e);
                }
                throw (IOException) e;
            }
            return result;
        } finally {
            if (helper.isAlive()) {
                helper.destroyForcibly();
                try {
                    helper.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            helper.getErrorStream().close();
            helper.getInputStream().close();
        }
    }

    private static void closeQuietly(AutoCloseable opened) {
        try {
            opened.close();
        } catch (Exception ignored) {
            // the call fails anyway, with the helper's error
        }
    }

    private static void writeMap(Path file, IdRange range) throws IOException {
        try {
            Files.writeString(file, "0 " + range.hostId() + " " + range.size() + "\n");
        } catch (IOException e) {
            throw new IOException("cannot write " + range + " to " + file + ": " + e.getMessage(), e);
        }
    }
}
