package io.sysbox.fs.bench;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An lxcfs of the benchmark's own: started in the foreground as a child process on a private
 * mount point with a private pid file (so it never collides with a system lxcfs and its
 * {@code /run/lxcfs.pid}), stopped by its pid, its mount removed if it left it behind.
 */
final class PrivateLxcfs implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** lxcfs 5 makes these (empty) for its private cgroup mounts, whatever its mount point. */
    private static final Path RUN_DIR = Path.of("/run/lxcfs");
    private static final List<Path> RUN_SUBDIRS = List.of(RUN_DIR.resolve("controllers"), RUN_DIR.resolve("root"));

    private final Process process;
    private final Path mountpoint;
    private final Path pidFile;
    private final Path log;
    private final boolean madeRunDir;

    private PrivateLxcfs(Process process, Path mountpoint, Path pidFile, Path log, boolean madeRunDir) {
        this.process = process;
        this.mountpoint = mountpoint;
        this.pidFile = pidFile;
        this.log = log;
        this.madeRunDir = madeRunDir;
    }

    /** Starts {@code lxcfs -f -p <dir>/lxcfs.pid <dir>/mnt} and returns once its proc/meminfo reads. */
    static PrivateLxcfs start(Path dir) throws IOException, InterruptedException {
        Path mountpoint = Files.createDirectory(dir.resolve("mnt"));
        Path pidFile = dir.resolve("lxcfs.pid");
        Path log = dir.resolve("lxcfs.log");
        boolean madeRunDir = !Files.exists(RUN_DIR);
        Process process;
        try {
            process = new ProcessBuilder("lxcfs", "-f", "-p", pidFile.toString(), mountpoint.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            Files.delete(mountpoint);
            throw new IOException("cannot run lxcfs (" + e.getMessage() + "); install it: apt-get install -y lxcfs", e);
        }
        PrivateLxcfs lxcfs = new PrivateLxcfs(process, mountpoint, pidFile, log, madeRunDir);
        try {
            lxcfs.awaitServing();
            return lxcfs;
        } catch (IOException | InterruptedException | RuntimeException e) {
            lxcfs.close();
            throw e;
        }
    }

    Path mountpoint() {
        return mountpoint;
    }

    long pid() {
        return process.pid();
    }

    private void awaitServing() throws IOException, InterruptedException {
        Path meminfo = mountpoint.resolve("proc/meminfo");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("lxcfs exited with status " + process.exitValue()
                        + " before serving " + meminfo + "; its output: " + output());
            }
            if (isMounted(mountpoint)) {
                try {
                    if (Files.readAllBytes(meminfo).length > 0) return;
                } catch (IOException notYet) {
                    // mounted but not answering yet: keep polling
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("lxcfs (pid " + process.pid() + ") did not serve " + meminfo + " within "
                        + START_TIMEOUT.toSeconds() + " s; its output: " + output());
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM to our lxcfs only (SIGKILL if it hangs), then removes what it may have left. */
    @Override
    public void close() throws IOException {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (isMounted(mountpoint)) {
            try {
                // a killed lxcfs leaves a dead FUSE mount: detach it so the directory can go
                MountApi.umount(mountpoint.toString(), MountApi.MNT_DETACH);
            } catch (ErrnoException e) {
                throw new IOException("lxcfs (pid " + process.pid() + ") left its mount at " + mountpoint
                        + " and it cannot be removed: " + e.getMessage() + "; remove it with: umount -l " + mountpoint, e);
            }
        }
        Files.deleteIfExists(mountpoint);
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(log);
        if (madeRunDir) removeRunDir();
    }

    /** Only when our lxcfs made it, and only if still empty (a system lxcfs may have started since). */
    private static void removeRunDir() throws IOException {
        try {
            for (Path dir : RUN_SUBDIRS) Files.deleteIfExists(dir);
            Files.deleteIfExists(RUN_DIR);
        } catch (DirectoryNotEmptyException inUse) {
            // someone else's lxcfs uses it now: leave it
        }
    }

    private String output() {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static boolean isMounted(Path mountpoint) throws IOException {
        String target = mountpoint.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].equals(target)) return true;
        }
        return false;
    }
}
