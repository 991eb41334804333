package io.sysbox.fs;

import io.sysbox.common.keeper.DescriptorKeeperClient;
import io.sysbox.common.proto.FuseConnectionNotes;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Keeps sysbox-fs's FUSE connections (read-write and read-only, handed together) in the
 * manager's descriptor keeper while sysbox-fs serves them, and takes them back out when
 * sysbox-fs stops cleanly. The kernel aborts a FUSE connection
 * when the last reference to its /dev/fuse file closes; with the manager holding one, a
 * sysbox-fs killed with -9 leaves the mount (and the containers' bind mounts of it) waiting
 * for a new server instead of dead. A clean stop drops it, so no connection outlives both.
 *
 * <p>The manager may start after sysbox-fs, or restart (its copy goes with it): so the handover
 * is checked every {@link #CHECK_PERIOD} and made again when the keeper holds nothing.
 */
final class ConnectionHandover implements AutoCloseable {
    static final Duration CHECK_PERIOD = Duration.ofSeconds(2);

    private final DescriptorKeeperClient keeper;
    private final int[] fds;
    private final byte[] notes;
    private final Logger log;
    private final Thread checker;
    /** Guarded by this: no handover may follow the drop of a clean stop. */
    private boolean closed;
    private boolean warned;

    private ConnectionHandover(DescriptorKeeperClient keeper, int[] fds, FuseConnectionNotes notes, Logger log) {
        this.keeper = keeper;
        this.fds = fds.clone();
        this.notes = notes.toByteArray();
        this.log = log;
        this.checker = Thread.ofPlatform().daemon().name("sysbox-fs-handover").unstarted(this::checkLoop);
    }

    /**
     * Hands {@code fds} (the read-write and the read-only connection) over together now (or as
     * soon as a keeper listens) and keeps them handed over.
     */
    static ConnectionHandover start(DescriptorKeeperClient keeper, int[] fds, FuseConnectionNotes notes, Logger log) {
        ConnectionHandover handover = new ConnectionHandover(keeper, fds, notes, log);
        handover.ensureHeld();
        handover.checker.start();
        return handover;
    }

    private void checkLoop() {
        while (true) {
            try {
                Thread.sleep(CHECK_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) return;
            }
            ensureHeld();
        }
    }

    private synchronized void ensureHeld() {
        if (closed) return;
        try {
            Optional<DescriptorKeeperClient.Held> held = keeper.fetch();
            if (held.isPresent()) {
                held.get().close();
                return;
            }
            if (!keeper.reachable()) {
                if (!warned) {
                    log.info("no descriptor keeper (sysbox-mgr) on {}: until one runs, a crash of sysbox-fs ends its"
                            + " FUSE connection and the containers' emulated files fail", keeper.socket());
                    warned = true;
                }
                return;
            }
            keeper.keep(fds, notes);
            warned = false;
            log.info("handed the FUSE connections to the descriptor keeper on {}", keeper.socket());
        } catch (IOException e) {
            log.warn("handing the FUSE connection to the descriptor keeper on {}: {}", keeper.socket(), e.getMessage());
        }
    }

    /** sysbox-fs stops cleanly: the keeper closes its copy, so the connection ends with this process. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        checker.interrupt();
        try {
            if (keeper.reachable()) keeper.drop();
        } catch (IOException e) {
            log.warn("the descriptor keeper on {} did not drop the FUSE connection: {}", keeper.socket(), e.getMessage());
        }
    }
}
