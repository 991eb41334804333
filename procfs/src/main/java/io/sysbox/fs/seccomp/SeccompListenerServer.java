package io.sysbox.fs.seccomp;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.SeccompNotify;
import io.sysbox.common.sys.SeqPacketSocket;
import org.apache.logging.log4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Where the engine hands over each seccomp listener (the spec's linux.seccomp.listenerPath,
 * RUN_DIR/sysfs-seccomp.sock): one connection per filter, carrying the container process state
 * and the listener descriptor (SCM_RIGHTS). Each listener gets a {@link ListenerSession}; the
 * first of a container (its init's) also fixes the container's initial mounts, read from the
 * init's mount table while it still waits to be started.
 */
public final class SeccompListenerServer implements AutoCloseable {
    public static final String SOCKET = "sysfs-seccomp.sock";
    private static final int MAX_STATE = 64 * 1024;

    private final SeqPacketSocket socket;
    private final Path path;
    private final Predicate<String> registered;
    private final ImmutabilityOptions options;
    private final MountHelper helper;
    private final Logger log;
    private final Map<String, InitialMounts> initial = new ConcurrentHashMap<>();
    private final Set<ListenerSession> sessions = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private SeccompListenerServer(SeqPacketSocket socket, Path path, Predicate<String> registered,
                                  ImmutabilityOptions options, MountHelper helper, Logger log) {
        this.socket = socket;
        this.path = path;
        this.registered = registered;
        this.options = options;
        this.helper = helper;
        this.log = log;
        this.acceptor = Thread.ofPlatform().name("seccomp-accept").daemon().unstarted(this::acceptAll);
    }

    /** Listens at RUN_DIR/sysfs-seccomp.sock (a stale socket file is replaced); REGISTERED says which ids are containers. */
    public static SeccompListenerServer start(Path runDir, Predicate<String> registered, ImmutabilityOptions options,
                                              MountHelper helper, Logger log) throws IOException {
        Path path = runDir.resolve(SOCKET);
        Files.deleteIfExists(path);
        SeqPacketSocket socket = SeqPacketSocket.listenStream(path, 64);
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        SeccompListenerServer server = new SeccompListenerServer(socket, path, registered, options, helper, log);
        server.acceptor.start();
        return server;
    }

    public Path path() {
        return path;
    }

    /** How many listeners are being served (one per running filter). */
    public int sessionCount() {
        return sessions.size();
    }

    private void acceptAll() {
        while (!closed) {
            SeqPacketSocket connection;
            try {
                connection = socket.accept();
            } catch (ErrnoException e) {
                if (closed) return;
                log.warn("seccomp listener socket {}: {}", path, e.getMessage());
                continue;
            }
            // Each handover on a thread of its own: a peer that sends half a state must not hold up the others.
            Thread.ofPlatform().name("seccomp-handover").daemon().start(() -> {
                try (connection) {
                    take(connection);
                } catch (IOException | RuntimeException e) {
                    log.warn("a seccomp listener handed over on {} was refused: {}", path, e.getMessage());
                }
            });
        }
    }

    /**
     * Reads one handover (the state, the descriptors with its first bytes) and starts its session.
     * The state ends where its JSON object does: runc 1.1 leaves its end of the connection open
     * while the process it made the filter for runs (it closes only a duplicate), so no end of
     * stream comes.
     */
    private void take(SeqPacketSocket connection) throws IOException {
        SeqPacketSocket.Peer peer = connection.peer();
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        int[] fds = new int[0];
        try {
            Optional<ProcessState> process = Optional.empty();
            while (process.isEmpty() && state.size() < MAX_STATE) {
                SeqPacketSocket.Message m = connection.receive(MAX_STATE - state.size());
                if (m.fds().length > 0) {
                    for (int fd : fds) MountApi.close(fd);
                    fds = m.fds();
                }
                if (m.data().length == 0) throw new IOException("the peer closed the connection before a whole state came");
                state.writeBytes(m.data());
                process = ProcessState.parseWhole(state.toByteArray());
            }
            if (process.isEmpty()) throw new IOException("no container process state within " + MAX_STATE + " bytes");
            if (peer.uid() != 0) throw new IOException("the peer (pid " + peer.pid() + ") is not root");
            if (process.get().listenerIndex() >= fds.length) {
                throw new IOException("container " + process.get().containerId()
                        + ": no listener descriptor came with the state");
            }
            int listener = fds[process.get().listenerIndex()];
            fds[process.get().listenerIndex()] = -1;
            start(process.get(), new SeccompNotify(listener));
        } finally {
            for (int fd : fds) {
                if (fd >= 0) MountApi.close(fd);
            }
        }
    }

    private void start(ProcessState process, SeccompNotify notify) throws IOException {
        String id = process.containerId();
        boolean known = registered.test(id);
        InitialMounts fixed = null;
        if (known && (process.isInit() || !initial.containsKey(id))) {
            // An exec's listener without the init's (sysbox-fs started after the container) takes the init's mounts now.
            fixed = new InitialMounts(MountTable.of(process.initPid()));
            initial.put(id, fixed);
        }
        InitialMounts ownMounts = process.isInit() ? fixed : null;
        if (!known) log.warn("seccomp listener for container {}, which is not registered: its mounts are refused", id);
        ListenerSession[] holder = new ListenerSession[1];
        ListenerSession session = new ListenerSession(notify, id, () -> container(id, process.initPid()), helper, log,
                () -> ended(holder[0], id, ownMounts));
        holder[0] = session;
        sessions.add(session);
        Thread.ofPlatform().name("seccomp-" + id + "-" + process.pid()).daemon().start(session);
        log.debug("seccomp listener of container {} (pid {}) served", id, process.pid());
    }

    private Optional<MountPolicy.Container> container(String id, long initPid) {
        InitialMounts mounts = initial.get(id);
        if (mounts == null || !registered.test(id)) return Optional.empty();
        return Optional.of(new MountPolicy.Container(mounts, initPid, () -> MountTable.of(initPid), options));
    }

    private void ended(ListenerSession session, String id, InitialMounts initsMounts) {
        sessions.remove(session);
        // The init's filter has no user left: the container's processes are gone (unless a new init took its id).
        if (initsMounts != null) initial.remove(id, initsMounts);
    }

    @Override
    public void close() {
        closed = true;
        socket.shutdown();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        sessions.forEach(ListenerSession::stop);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", path, e.getMessage());
        }
    }
}
