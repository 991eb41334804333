package io.sysbox.common.daemon;

import org.apache.logging.log4j.Logger;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a daemon has started so far (pid file lock, mounts, sockets), closed last started first:
 * a later resource may depend on an earlier one (a socket serves a mount), and a start that fails
 * halfway undoes exactly what it did. A failure to close one is logged and the others still close.
 */
public final class StartedResources implements AutoCloseable {
    private final Logger log;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    public StartedResources(Logger log) {
        this.log = log;
    }

    /** Records {@code resource} as started; returns it. */
    public <T extends AutoCloseable> T push(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
        }
    }
}
