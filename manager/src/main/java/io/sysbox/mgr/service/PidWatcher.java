package io.sysbox.mgr.service;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.PidFd;
import org.apache.logging.log4j.Logger;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits for the processes of foreground `run`s to exit. A pidfd cannot be fooled by pid
 * reuse; each watch blocks in poll() on its own platform thread (a virtual thread would pin
 * its carrier in the native call anyway), waking up now and then to notice cancellation.
 */
final class PidWatcher implements AutoCloseable {
    private static final int POLL_MILLIS = 500;

    private final Logger log;
    private final ConcurrentHashMap<String, Task> tasks = new ConcurrentHashMap<>();

    PidWatcher(Logger log) {
        this.log = log;
    }

    private final class Task implements Runnable {
        final String id;
        final PidFd pidfd;
        final Runnable onExit;
        volatile boolean cancelled;
        Thread thread;

        Task(String id, PidFd pidfd, Runnable onExit) {
            this.id = id;
            this.pidfd = pidfd;
            this.onExit = onExit;
        }

        @Override
        public void run() {
            try (pidfd) {
                while (!cancelled) {
                    if (pidfd.awaitExit(POLL_MILLIS)) {
                        tasks.remove(id, this);
                        if (!cancelled) onExit.run();
                        return;
                    }
                }
            } catch (ErrnoException e) {
                log.error("cannot watch process {} of container {}: {}", pidfd.pid(), id, e.getMessage());
            } catch (RuntimeException e) {
                log.error("releasing container {} after its process {} exited failed", id, pidfd.pid(), e);
            }
        }
    }

    /** Runs onExit once the process has exited; takes ownership of pidfd. Replaces any watch of id. */
    void watch(String id, PidFd pidfd, Runnable onExit) {
        Task task = new Task(id, pidfd, onExit);
        task.thread = Thread.ofPlatform().daemon().name("watch-" + id).unstarted(task);
        Task previous = tasks.put(id, task);
        if (previous != null) previous.cancelled = true;
        task.thread.start();
    }

    void cancel(String id) {
        Task task = tasks.remove(id);
        if (task != null) task.cancelled = true;
    }

    int watching() {
        return tasks.size();
    }

    @Override
    public void close() {
        for (Task task : tasks.values()) task.cancelled = true;
        for (Task task : tasks.values()) {
            try {
                task.thread.join(POLL_MILLIS * 2L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        tasks.clear();
    }
}
