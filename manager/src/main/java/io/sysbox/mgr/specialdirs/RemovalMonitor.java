package io.sysbox.mgr.specialdirs;

import org.apache.logging.log4j.Logger;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices that a path disappeared: for Docker, a container's overlay2 layer directory goes
 * only with {@code docker rm}, which never reaches the runtime. One platform daemon thread
 * checks every watched path each interval (a stat per container: cheaper and simpler than
 * inotify on Docker's busy overlay2 directory, and nothing to re-sync after a queue
 * overflow); each callback runs on its own virtual thread, so a long removal delays no other.
 */
public final class RemovalMonitor implements AutoCloseable {
    private record Watch(Path path, Runnable onGone) {}

    private final Logger log;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scanner;

    public RemovalMonitor(Duration interval, Logger log) {
        this.log = log;
        this.scanner = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("special-dirs-removal").factory());
        long millis = Math.max(1, interval.toMillis());
        scanner.scheduleWithFixedDelay(this::scan, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs onGone once path no longer exists; replaces any watch of id. */
    public void watch(String id, Path path, Runnable onGone) {
        watches.put(id, new Watch(path, onGone));
    }

    public void cancel(String id) {
        watches.remove(id);
    }

    /** The ids watched now. */
    public Set<String> watched() {
        return Set.copyOf(watches.keySet());
    }

    private void scan() {
        try {
            scanOnce();
        } catch (RuntimeException e) {
            // An exception would end the scheduled scans for good.
            log.error("checking watched container layers failed", e);
        }
    }

    private void scanOnce() {
        for (Map.Entry<String, Watch> entry : watches.entrySet()) {
            Watch watch = entry.getValue();
            // notExists: only a path known to be gone counts; one that cannot be checked stays watched.
            if (!Files.notExists(watch.path(), LinkOption.NOFOLLOW_LINKS)) continue;
            if (!watches.remove(entry.getKey(), watch)) continue;
            Thread.ofVirtual().name("removed-" + entry.getKey()).start(() -> {
                try {
                    watch.onGone().run();
                } catch (RuntimeException e) {
                    log.error("handling the removal of container {} ({} is gone) failed", entry.getKey(), watch.path(), e);
                }
            });
        }
    }

    @Override
    public void close() {
        scanner.shutdownNow();
        try {
            scanner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
