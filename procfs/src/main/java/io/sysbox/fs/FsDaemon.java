package io.sysbox.fs;

import io.sysbox.common.daemon.PidFileLock;
import io.sysbox.common.daemon.StartedResources;
import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.daemon.UnixSocketGrpcServer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sysbox.common.keeper.DescriptorKeeper;
import io.sysbox.common.keeper.DescriptorKeeperClient;
import io.sysbox.common.proto.FuseConnectionNotes;
import io.sysbox.fs.emulation.registry.RunDirJournal;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.fuse.FuseSession;
import io.sysbox.fs.fuse.Negotiated;
import io.sysbox.fs.seccomp.MountHelper;
import io.sysbox.fs.seccomp.SeccompListenerServer;
import io.sysbox.fs.service.GrpcSysFsService;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A running sysbox-fs: pid file lock, the FUSE mount (resumed from the manager's descriptor
 * keeper after a crash, see docs/design.md), its handover to that keeper, and the gRPC socket.
 * Main runs one until a signal; tests run one in-process.
 */
public final class FsDaemon implements AutoCloseable {
    public static final String GRPC_SOCKET = "sysfs.sock";
    public static final String PID_FILE = "sysfs.pid";
    /** Under the run dir: what a restarted sysbox-fs needs to serve the same containers (RunDirJournal). */
    public static final String STATE_DIR = "sysfs";
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private final Path runDir;
    private final Logger log;
    /** What to undo on close, last started first. */
    private final StartedResources started;
    private SysboxFsMount mount;

    private FsDaemon(Path runDir, Logger log) {
        this.runDir = runDir;
        this.log = log;
        this.started = new StartedResources(log);
    }

    public Path grpcSocket() {
        return runDir.resolve(GRPC_SOCKET);
    }

    public SysboxFsMount mount() {
        return mount;
    }

    public static FsDaemon start(FsOptions options, Logger log) throws StartupException {
        return StartupException.startOrClose("sysbox-fs", new FsDaemon(options.runDir(), log), d -> d.startAll(options));
    }

    private void startAll(FsOptions options) throws IOException, StartupException {
        Files.createDirectories(runDir);
        try {
            started.push(PidFileLock.acquire(runDir.resolve(PID_FILE), "sysbox-fs"));
        } catch (PidFileLock.AlreadyRunningException e) {
            throw new StartupException(e.getMessage(), null);
        }
        RunDirJournal journal = new RunDirJournal(runDir.resolve(STATE_DIR));
        DescriptorKeeperClient keeper = new DescriptorKeeperClient(runDir.resolve(DescriptorKeeper.SOCKET));
        mount = resumeOrMount(options, journal, keeper);
        started.push(mount);
        Negotiated negotiated = awaitInit(mount.session(), mount.mountpoint());
        Path readOnlyMountpoint = SysboxFsMount.readOnlyMountpoint(mount.mountpoint());
        Negotiated readOnly = awaitInit(mount.readOnlySession(), readOnlyMountpoint);
        FuseConnectionNotes notes = FuseConnectionNotes.newBuilder()
                .setMountpoint(mountpointOf(options)).setProtocolMinor(negotiated.protocolMinor())
                .setMaxWrite(negotiated.maxWrite())
                .setReadOnly(FuseConnectionNotes.newBuilder().setMountpoint(readOnlyMountpoint.toString())
                        .setProtocolMinor(readOnly.protocolMinor()).setMaxWrite(readOnly.maxWrite()))
                .build();
        started.push(ConnectionHandover.start(keeper,
                new int[] {mount.session().deviceFd(), mount.readOnlySession().deviceFd()}, notes, log));
        SeccompListenerServer seccomp = SeccompListenerServer.start(runDir, id -> mount.registry().find(id).isPresent(),
                options.immutability(), MountHelper.fromSystemProperty(), log);
        started.push(seccomp);
        startGrpc(new GrpcSysFsService(mount, Optional.of(seccomp.path()), log));
        log.info("sysbox-fs ready: FUSE at {} and read-only at {} ({} serving threads each), gRPC on {}, seccomp"
                        + " listeners on {}", mount.mountpoint(), readOnlyMountpoint, options.fuseThreads(), grpcSocket(),
                seccomp.path());
    }

    /**
     * Serves again the connection the descriptor keeper holds, if a previous sysbox-fs handed
     * it one for this mountpoint (that sysbox-fs died: a clean stop takes it back), with the
     * containers it had registered; otherwise mounts afresh, and the old records describe
     * containers of a connection that is gone.
     */
    private SysboxFsMount resumeOrMount(FsOptions options, RunDirJournal journal, DescriptorKeeperClient keeper)
            throws IOException, StartupException {
        Optional<DescriptorKeeperClient.Held> held;
        try {
            held = keeper.fetch();
        } catch (IOException e) {
            log.warn("cannot ask the descriptor keeper on {} for a previous FUSE connection: {}; mounting afresh",
                    keeper.socket(), e.getMessage());
            held = Optional.empty();
        }
        if (held.isPresent()) {
            Optional<SysboxFsMount.Connections> connections = resumable(held.get(), options);
            if (connections.isPresent()) {
                ContainerLayout layout = ContainerLayout.standard();
                try {
                    return SysboxFsMount.resume(options.mountpoint(), connections.get(), options.fuseThreads(), layout,
                            journal, log);
                } catch (IOException | RuntimeException e) {
                    layout.close();
                    log.error("cannot serve the previous FUSE connection of {} again: {}; mounting afresh",
                            options.mountpoint(), e.getMessage());
                }
            }
            // Ends the old connections (ours were the keeper's last other references), so the guard finds the mount dead.
            held.get().close();
            try {
                keeper.drop();
            } catch (IOException e) {
                log.warn("the descriptor keeper did not drop the previous FUSE connection: {}", e.getMessage());
            }
        }
        journal.clear();
        MountpointGuard.prepare(options.mountpoint(), log);
        ContainerLayout layout = ContainerLayout.standard();
        try {
            return SysboxFsMount.mount(options.mountpoint(), options.fuseThreads(), layout, journal, log);
        } catch (IOException | RuntimeException e) {
            layout.close();
            throw e;
        }
    }

    /** The previous sysbox-fs's connections and what it noted about them, if this one can serve them. */
    private Optional<SysboxFsMount.Connections> resumable(DescriptorKeeperClient.Held held, FsOptions options) {
        try {
            FuseConnectionNotes notes = FuseConnectionNotes.parseFrom(held.notes());
            if (!notes.getMountpoint().equals(mountpointOf(options))) {
                log.warn("the descriptor keeper holds the FUSE connection of {}, not of {}: ending it and mounting"
                        + " afresh (containers bound to the old mount lose their emulated files)",
                        notes.getMountpoint(), mountpointOf(options));
                return Optional.empty();
            }
            if (!notes.hasReadOnly() || held.fds().length != 2) {
                log.warn("the descriptor keeper holds {} FUSE connection(s) of {} where this sysbox-fs serves two (a"
                        + " read-write and a read-only one): ending them and mounting afresh (containers bound to the"
                        + " old mount lose their emulated files)", held.fds().length, notes.getMountpoint());
                return Optional.empty();
            }
            FuseConnectionNotes readOnly = notes.getReadOnly();
            return Optional.of(new SysboxFsMount.Connections(
                    held.fds()[0], new Negotiated(notes.getProtocolMinor(), notes.getMaxWrite()),
                    held.fds()[1], new Negotiated(readOnly.getProtocolMinor(), readOnly.getMaxWrite())));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            log.warn("the previous FUSE connection cannot be served by this sysbox-fs ({}); mounting afresh",
                    e.getMessage());
            return Optional.empty();
        }
    }

    private static String mountpointOf(FsOptions options) {
        return options.mountpoint().toAbsolutePath().normalize().toString();
    }

    /** A fresh connection is handed over once INIT settled it; a resumed one knows already. */
    private static Negotiated awaitInit(FuseSession session, Path mountpoint) throws StartupException {
        try {
            return session.awaitNegotiated(INIT_TIMEOUT)
                    .orElseThrow(() -> new StartupException("the kernel sent no FUSE INIT within " + INIT_TIMEOUT
                            + " of mounting " + mountpoint, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for FUSE INIT", e);
        }
    }

    private void startGrpc(GrpcSysFsService service) throws IOException {
        started.push(UnixSocketGrpcServer.start(grpcSocket(), 1, service));
    }

    /** Stops serving: the socket goes, the FUSE file system is unmounted, the pid file removed. */
    @Override
    public void close() {
        started.close();
    }
}
