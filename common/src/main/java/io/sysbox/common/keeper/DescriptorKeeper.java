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
import java.util.OptionalInt;

/**
 * Holds one file descriptor for another daemon, so the kernel object behind it outlives that
 * daemon's crash. sysbox-fs hands the manager its /dev/fuse descriptor: the kernel aborts a
 * FUSE connection only when the last descriptor of its /dev/fuse file is closed, so while the
 * manager keeps one, a sysbox-fs killed with -9 leaves its mounts (the containers' bind mounts
 * included) waiting instead of dead, and a restarted sysbox-fs fetches the descriptor and serves
 * them again. The holder drops it when it stops cleanly, so nothing outlives a clean stop.
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
    /** Guarded by this: the descriptor held (-1: none) and the holder's notes about it. */
    private int held = -1;
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

    /** Whether a descriptor is held now. */
    public synchronized boolean holds() {
        return held >= 0;
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
                    message.fd().ifPresent(FileDescriptors::close);
                    return; // the peer went away; what it handed stays held
                }
                KeeperAnswer answer = peer.uid() == 0 ? answer(request, message.fd())
                        : refuse(message.fd(), "only root may hand or fetch descriptors (peer uid " + peer.uid() + ")");
                connection.send(answer.message().encode(), answer.fd());
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

    private record KeeperAnswer(KeeperMessage message, OptionalInt fd) {}

    private synchronized KeeperAnswer answer(KeeperMessage request, OptionalInt passed) {
        switch (request.op()) {
            case KeeperMessage.KEEP -> {
                if (passed.isEmpty()) return refuse(passed, "KEEP came without a descriptor");
                int previous = held;
                held = passed.getAsInt();
                notes = request.payload();
                // A new connection replaces the old one: the old one's last reference goes here.
                if (previous >= 0) FileDescriptors.close(previous);
                log.info("holding a descriptor for a daemon on {} ({})", path, previous >= 0 ? "replacing the previous one" : "first one");
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), OptionalInt.empty());
            }
            case KeeperMessage.FETCH -> {
                passed.ifPresent(FileDescriptors::close);
                if (held < 0) return new KeeperAnswer(KeeperMessage.of(KeeperMessage.NONE), OptionalInt.empty());
                // The descriptor is sent, not given away: until the fetcher hands it back, a crash of the fetcher must not end it.
                return new KeeperAnswer(new KeeperMessage(KeeperMessage.HELD, notes), OptionalInt.of(held));
            }
            case KeeperMessage.DROP -> {
                passed.ifPresent(FileDescriptors::close);
                if (held >= 0) {
                    FileDescriptors.close(held);
                    held = -1;
                    notes = new byte[0];
                    log.info("dropped the descriptor held on {}", path);
                }
                return new KeeperAnswer(KeeperMessage.of(KeeperMessage.OK), OptionalInt.empty());
            }
            default -> {
                return refuse(passed, "unknown operation " + request.op());
            }
        }
    }

    private static KeeperAnswer refuse(OptionalInt passed, String why) {
        passed.ifPresent(FileDescriptors::close);
        return new KeeperAnswer(new KeeperMessage(KeeperMessage.ERROR, why.getBytes(StandardCharsets.UTF_8)),
                OptionalInt.empty());
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
            if (held >= 0) FileDescriptors.close(held);
            held = -1;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("removing {}: {}", path, e.getMessage());
        }
    }
}
