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

/**
 * Holds file descriptors for another daemon, handed together (one set at a time), so the
 * kernel objects behind them outlive that daemon's crash. sysbox-fs hands the manager its two
 * /dev/fuse descriptors (its read-write and its read-only connection): the kernel aborts a
 * FUSE connection only when the last descriptor of its /dev/fuse file is closed, so while the
 * manager keeps one, a sysbox-fs killed with -9 leaves its mounts (the containers' bind mounts
 * included) waiting instead of dead, and a restarted sysbox-fs fetches the descriptors and
 * serves them again. The holder drops them when it stops cleanly, so nothing outlives a clean stop.
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
    /** Guarded by this: the descriptors held (none: empty), handed together, and the holder's notes about them. */
    private int[] held = new int[0];
    private byte[] notes = new byte[0];
    private boolean closed;

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

    /** Whether descriptors are held now. */
    public synchronized boolean holds() {
        return held.length > 0;
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
                KeeperMessage request = KeeperMessage.decode(message.data());
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
        switch (request.op()) {
            case KeeperMessage.KEEP -> {
                if (passed.length == 0) return refuse(passed, "KEEP came without a descriptor");
                int[] previous = held;
                held = passed;
                notes = request.payload();
                // New connections replace the old ones: the old ones' last references go here.
                closeAll(previous);
                log.info("holding {} descriptor(s) for a daemon on {} ({})", passed.length, path,
                        previous.length > 0 ? "replacing the previous ones" : "first ones");
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), new int[0]);
            }
            case KeeperMessage.FETCH -> {
                closeAll(passed);
                if (held.length == 0) return new KeeperAnswer(KeeperMessage.of(KeeperMessage.NONE), new int[0]);
                // The descriptors are sent, not given away: until the fetcher hands them back, a crash of the fetcher must not end them.
                return new KeeperAnswer(new KeeperMessage(KeeperMessage.HELD, notes), held.clone());
            }
            case KeeperMessage.DROP -> {
                closeAll(passed);
                if (held.length > 0) {
                    closeAll(held);
                    held = new int[0];
                    notes = new byte[0];
                    log.info("dropped the descriptors held on {}", path);
                }
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), new int[0]);
            }
            default -> {
                return refuse(passed, "unknown operation " + request.op());
            }
        }
    }

    private static KeeperAnswer refuse(int[] passed, String why) {
        closeAll(passed);
        return new KeeperAnswer(new KeeperMessage(KeeperMessage.ERROR, why.getBytes(StandardCharsets.UTF_8)),
                new int[0]);
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) FileDescriptors.close(fd);
    }

    /**
     * Stops listening and closes the descriptor held: the holder is stopping, and a kernel
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
            closeAll(held);
            held = new int[0];
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("removing {}: {}", path, e.getMessage());
        }
    }
}
