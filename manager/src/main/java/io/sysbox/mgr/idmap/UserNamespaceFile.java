package io.sysbox.mgr.idmap;

import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An open file descriptor on a fresh user namespace with a container's mapping: what
 * mount_setattr(MOUNT_ATTR_IDMAP) takes. The namespace has no process left once this
 * object exists; the fd (and any idmapped mount made from it) keeps it alive.
 *
 * The JVM cannot unshare(CLONE_NEWUSER) itself (the kernel refuses it to a multi-threaded
 * process), so a helper does: {@code unshare --user -- cat}. Echoing one byte through cat
 * proves the unshare happened and cat is running in the new namespace, whose maps we then
 * write from outside, as the parent namespace's root may.
 */
public final class UserNamespaceFile implements AutoCloseable {
    private static final int HELPER_TIMEOUT_SECONDS = 10;

    private final int fd;

    private UserNamespaceFile(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    public static UserNamespaceFile create(ContainerMapping mapping) throws IOException {
        Process helper = new ProcessBuilder("unshare", "--user", "--", "cat").start();
        try {
            OutputStream stdin = helper.getOutputStream();
            InputStream stdout = helper.getInputStream();
            stdin.write('u');
            stdin.flush();
            if (stdout.read() != 'u') {
                String error = new String(helper.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IOException("cannot create a user namespace with `unshare --user -- cat`: "
                        + (error.isEmpty() ? "it exited without running cat" : error));
            }
            Path proc = Path.of("/proc", Long.toString(helper.pid()));
            writeMap(proc.resolve("uid_map"), mapping.uid());
            writeMap(proc.resolve("gid_map"), mapping.gid());
            int fd = FileDescriptors.openReadOnly(proc.resolve("ns/user").toString());
            stdin.close();
            try {
                if (!helper.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("user namespace helper (pid " + helper.pid() + ") did not exit");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                FileDescriptors.close(fd);
                throw new IOException("interrupted while waiting for the user namespace helper", e);
            } catch (IOException e) {
                FileDescriptors.close(fd);
                throw e;
            }
            return new UserNamespaceFile(fd);
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

    private static void writeMap(Path file, IdRange range) throws IOException {
        try {
            Files.writeString(file, "0 " + range.hostId() + " " + range.size() + "\n");
        } catch (IOException e) {
            throw new IOException("cannot write " + range + " to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        FileDescriptors.close(fd);
    }
}
