package io.sysbox.fs.seccomp;

import io.sysbox.common.keeper.DescriptorKeeperClient;
import io.sysbox.common.sys.FileDescriptors;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps each served seccomp listener in a slot of the manager's descriptor keeper, with its
 * {@link ListenerNotes}, so that a sysbox-fs killed with -9 leaves its containers' filters
 * with a listener: their mount calls wait for the restarted sysbox-fs, which takes the
 * listeners back ({@link #recover}) instead of the kernel failing every call with ENOSYS once
 * the last listener descriptor is closed. A listener's slot is dropped when its session ends,
 * and every one on a clean stop, so nothing outlives both.
 *
 * <p>The manager may restart (its slots go with it) or start after sysbox-fs: every
 * {@link #CHECK_PERIOD} the slots it lists are compared with the listeners served, and what is
 * missing is handed again.
 */
final class ListenerKeeping implements AutoCloseable {
    static final String PREFIX = "seccomp/";
    static final Duration CHECK_PERIOD = Duration.ofSeconds(2);

    /** A listener taken back from the keeper: its descriptor (now this process's too) and notes. */
    record Recovered(int fd, ListenerNotes notes) {}

    private record Kept(int fd, byte[] notes) {}

    private final DescriptorKeeperClient keeper;
    private final Logger log;
    /** Guarded by this: the listeners served, by slot; a descriptor here is open until {@link #forget} returns. */
    private final Map<String, Kept> served = new HashMap<>();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("seccomp-keeping").unstarted(task));
    private boolean closed;
    private boolean warned;

    ListenerKeeping(DescriptorKeeperClient keeper, Logger log) {
        this.keeper = keeper;
        this.log = log;
    }

    static String slot(ListenerNotes notes) {
        return PREFIX + notes.containerId() + "/" + notes.pid();
    }

    void startChecking() {
        checker.scheduleWithFixedDelay(this::check, CHECK_PERIOD.toMillis(), CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The listeners a previous sysbox-fs left in the keeper. A slot whose notes cannot be read
     * is dropped (its listener closes: the kernel fails that filter's calls with ENOSYS).
     */
    List<Recovered> recover() {
        List<Recovered> recovered = new ArrayList<>();
        List<String> slots;
        try {
            slots = keeper.list(PREFIX);
        } catch (IOException e) {
            log.warn("cannot ask the descriptor keeper on {} for seccomp listeners: {}", keeper.socket(), e.getMessage());
            return recovered;
        }
        for (String slot : slots) {
            try {
                Optional<DescriptorKeeperClient.Held> held = keeper.fetch(slot);
                if (held.isEmpty()) continue;
                int[] fds = held.get().fds();
                for (int i = 1; i < fds.length; i++) FileDescriptors.close(fds[i]);
                try {
                    recovered.add(new Recovered(fds[0], ListenerNotes.decode(held.get().notes())));
                } catch (IOException | RuntimeException e) {
                    FileDescriptors.close(fds[0]);
                    log.warn("seccomp listener {} in the descriptor keeper has notes this sysbox-fs cannot read ({});"
                            + " dropping it", slot, e.getMessage());
                    keeper.drop(slot);
                }
            } catch (IOException e) {
                log.warn("cannot take seccomp listener {} back from the descriptor keeper: {}", slot, e.getMessage());
            }
        }
        return recovered;
    }

    /** Hands the listener FD (kept open by the caller until {@link #forget}) and its notes over, now and after a keeper restart. */
    synchronized void keep(ListenerNotes notes, int fd) {
        if (closed) return;
        String slot = slot(notes);
        byte[] encoded;
        try {
            encoded = notes.encode();
        } catch (IOException e) {
            log.warn("seccomp listener {} is not kept across a restart of sysbox-fs: {}", slot, e.getMessage());
            return;
        }
        served.put(slot, new Kept(fd, encoded));
        hand(slot, fd, encoded);
    }

    /** The session of NOTES ended: its slot is dropped before the caller closes the descriptor. */
    synchronized void forget(ListenerNotes notes) {
        String slot = slot(notes);
        if (served.remove(slot) == null || closed) return;
        try {
            keeper.drop(slot);
        } catch (IOException e) {
            log.debug("the descriptor keeper did not drop {}: {}", slot, e.getMessage());
        }
    }

    private void hand(String slot, int fd, byte[] notes) {
        try {
            keeper.keep(slot, new int[] {fd}, notes);
            warned = false;
        } catch (IOException e) {
            if (!warned) {
                log.info("no descriptor keeper took seccomp listener {} ({}): until one runs, a crash of sysbox-fs"
                        + " makes the containers' mount calls fail with ENOSYS", slot, e.getMessage());
                warned = true;
            }
        }
    }

    /** Hands again what the keeper lacks (it restarted, or started after this sysbox-fs). */
    private synchronized void check() {
        if (closed || served.isEmpty()) return;
        Set<String> held;
        try {
            if (!keeper.reachable()) return;
            held = new HashSet<>(keeper.list(PREFIX));
        } catch (IOException e) {
            return;
        }
        served.forEach((slot, kept) -> {
            if (!held.contains(slot)) hand(slot, kept.fd(), kept.notes());
        });
    }

    /** A clean stop: every listener served leaves the keeper, so none outlives this sysbox-fs. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (String slot : served.keySet()) {
                try {
                    keeper.drop(slot);
                } catch (IOException e) {
                    log.debug("the descriptor keeper did not drop {}: {}", slot, e.getMessage());
                    break;
                }
            }
            served.clear();
        }
        checker.shutdownNow();
    }
}
