package io.sysbox.common.keeper;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.SeqPacketSocket;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Holds file descriptors for another daemon, in named slots (each a set handed together), so
 * the kernel objects behind them outlive that daemon's crash. sysbox-fs hands the manager its two
 * /dev/fuse descriptors (its read-write and its read-only connection): the kernel aborts a
 * FUSE connection only when the last descriptor of its /dev/fuse file is closed, so while the
 * manager keeps one, a sysbox-fs killed with -9 leaves its mounts (the containers' bind mounts
 * included) waiting instead of dead, and a restarted sysbox-fs fetches the descriptors and
 * serves them again. The holder drops them when it stops cleanly, so nothing outlives a clean stop.
 * Those are the unnamed slot; sysbox-fs also keeps each container's seccomp listener in a slot
 * of its own (see SeccompListenerServer), so that calls stopped while it is down wait for the
 * restarted one instead of failing.
 *
 * <p>Only root may talk to it (SO_PEERCRED): a /dev/fuse descriptor answers for every file of
 * the mount. The socket file is mode 0600 as well.
 */
public final class DescriptorKeeper implements AutoCloseable {
    /** Beside the manager's other sockets. */
    public static final String SOCKET = "sysmgr-fd.sock";

    private final Path path;
    private final SeqPacketSocket listener;
    private final Logger log;
    private final Thread acceptor;
    /** Guarded by this. */
    private final List<SeqPacketSocket> connections = new ArrayList<>();
    /** Guarded by this: what each slot holds, by name (sorted, for LIST's pages). */
    private final NavigableMap<String, Slot> slots = new TreeMap<>();
    private boolean closed;

    /** The descriptors of one slot, handed together, and the holder's notes about them. */
    private record Slot(int[] fds, byte[] notes) {}

    private DescriptorKeeper(Path path, SeqPacketSocket listener, Logger log) {
        this.path = path;
        this.listener = listener;
        this.log = log;
        this.acceptor = Thread.ofPlatform().daemon().name("descriptor-keeper").unstarted(this::acceptLoop);
    }

    /** Listens on {@code path} (a stale socket file there is replaced). */
    public static DescriptorKeeper start(Path path, Logger log) throws IOException {
        Files.deleteIfExists(path);
        SeqPacketSocket listener = SeqPacketSocket.listen(path, 8);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        DescriptorKeeper keeper = new DescriptorKeeper(path, listener, log);
        keeper.acceptor.start();
        return keeper;
    }

    public Path socket() {
        return path;
    }

    /** Whether the unnamed slot (sysbox-fs's FUSE connections) holds descriptors now. */
    public synchronized boolean holds() {
        return slots.containsKey("");
    }

    /** How many slots hold descriptors now. */
    public synchronized int slotCount() {
        return slots.size();
    }

    private void acceptLoop() {
        while (true) {
            SeqPacketSocket connection;
            try {
                connection = listener.accept();
            } catch (ErrnoException e) {
                if (e.errno() == ErrnoException.EINTR) continue;
                synchronized (this) {
                    if (!closed) log.error("descriptor keeper on {} stops accepting: {}", path, e.getMessage());
                }
                return;
            }
            synchronized (this) {
                if (closed) {
                    connection.close();
                    return;
                }
                connections.add(connection);
            }
            Thread.ofPlatform().daemon().name("descriptor-keeper-connection").start(() -> serve(connection));
        }
    }

    private void serve(SeqPacketSocket connection) {
        try {
            SeqPacketSocket.Peer peer = connection.peer();
            while (true) {
                SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
                KeeperMessage request;
                try {
                    request = KeeperMessage.decode(message.data());
                } catch (IllegalArgumentException e) {
                    connection.send(refuse(message.fds(), e.getMessage()).message().encode(), new int[0]);
                    continue;
                }
                if (request == null) {
                    closeAll(message.fds());
                    return; // the peer went away; what it handed stays held
                }
                KeeperAnswer answer = peer.uid() == 0 ? answer(request, message.fds())
                        : refuse(message.fds(), "only root may hand or fetch descriptors (peer uid " + peer.uid() + ")");
                connection.send(answer.message().encode(), answer.fds());
            }
        } catch (ErrnoException e) {
            synchronized (this) {
                if (!closed) log.warn("descriptor keeper: a connection failed: {}", e.getMessage());
            }
        } finally {
            synchronized (this) {
                connections.remove(connection);
            }
            connection.close();
        }
    }

    private record KeeperAnswer(KeeperMessage message, int[] fds) {}

    private synchronized KeeperAnswer answer(KeeperMessage request, int[] passed) {
        String name = request.slot();
        String label = name.isEmpty() ? "" : " in slot " + name;
        switch (request.op()) {
            case KeeperMessage.KEEP -> {
                if (passed.length == 0) return refuse(passed, "KEEP came without a descriptor");
                Slot previous = slots.put(name, new Slot(passed, request.payload()));
                // New connections replace the old ones: the old ones' last references go here.
                if (previous != null) closeAll(previous.fds());
                if (name.isEmpty()) {
                    log.info("holding {} descriptor(s) for a daemon on {} ({})", passed.length, path,
                            previous != null ? "replacing the previous ones" : "first ones");
                } else {
                    log.debug("holding {} descriptor(s){} for a daemon on {}", passed.length, label, path);
                }
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), new int[0]);
            }
            case KeeperMessage.FETCH -> {
                closeAll(passed);
                Slot slot = slots.get(name);
                if (slot == null) return new KeeperAnswer(KeeperMessage.of(KeeperMessage.NONE), new int[0]);
                // The descriptors are sent, not given away: until the fetcher hands them back, a crash of the fetcher must not end them.
                return new KeeperAnswer(new KeeperMessage(KeeperMessage.HELD, name, slot.notes()), slot.fds().clone());
            }
            case KeeperMessage.DROP -> {
                closeAll(passed);
                Slot slot = slots.remove(name);
                if (slot != null) {
                    closeAll(slot.fds());
                    if (name.isEmpty()) log.info("dropped the descriptors held on {}", path);
                    else log.debug("dropped the descriptors held{} on {}", label, path);
                }
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), new int[0]);
            }
            case KeeperMessage.LIST -> {
                closeAll(passed);
                return new KeeperAnswer(new KeeperMessage(KeeperMessage.NAMES, name,
                        page(name, new String(request.payload(), StandardCharsets.UTF_8))), new int[0]);
            }
            default -> {
                return refuse(passed, "unknown operation " + request.op());
            }
        }
    }

    /** The names after AFTER that start with PREFIX, as many as one message holds. */
    private byte[] page(String prefix, String after) {
        StringBuilder names = new StringBuilder();
        for (String name : slots.tailMap(after, false).keySet()) {
            if (!name.startsWith(prefix)) {
                if (name.compareTo(prefix) > 0) break;
                continue;
            }
            if (names.length() + name.length() + 1 > KeeperMessage.MAX_PAGE) break;
            if (!names.isEmpty()) names.append('\n');
            names.append(name);
        }
        return names.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static KeeperAnswer refuse(int[] passed, String why) {
        closeAll(passed);
        return new KeeperAnswer(new KeeperMessage(KeeperMessage.ERROR, "", why.getBytes(StandardCharsets.UTF_8)),
                new int[0]);
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) FileDescriptors.close(fd);
    }

    /**
     * Stops listening and closes the descriptors held: the holder is stopping, and a kernel
     * object it kept alive for a daemon that is gone too must not outlive both.
     */
    @Override
    public void close() {
        List<SeqPacketSocket> open;
        synchronized (this) {
            if (closed) return;
            closed = true;
            open = List.copyOf(connections);
        }
        listener.shutdown();
        open.forEach(SeqPacketSocket::shutdown);
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        synchronized (this) {
            slots.values().forEach(slot -> closeAll(slot.fds()));
            slots.clear();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("removing {}: {}", path, e.getMessage());
        }
    }
}
