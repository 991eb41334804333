package io.sysbox.conformance.reliability;

import io.sysbox.conformance.ProcStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** One look at a daemon: resident memory, threads and open descriptors, from /proc/PID. */
public record DaemonFigures(String daemon, long pid, long rssKiB, int threads, int fds) {

    public static DaemonFigures of(String daemon, long pid) {
        ProcStatus status = ProcStatus.ofPid(pid);
        long rss = Long.parseLong(status.field("VmRSS").split("\\s+")[0]);
        int threads = Integer.parseInt(status.field("Threads"));
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return new DaemonFigures(daemon, pid, rss, threads, (int) fds.count());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the descriptors of " + daemon + " (pid " + pid + ")", e);
        }
    }

    /** "sysbox-mgr: rss 123456 KiB, 40 threads, 60 fds" */
    public String describe() {
        return daemon + ": rss " + rssKiB + " KiB, " + threads + " threads, " + fds + " fds";
    }
}
