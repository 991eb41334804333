package io.sysbox.fs;

import io.sysbox.common.daemon.PidFileLock;
import io.sysbox.common.daemon.StartedResources;
import io.sysbox.common.daemon.UnixSocketGrpcServer;

import io.sysbox.fs.service.GrpcSysFsService;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A running sysbox-fs: pid file lock, the FUSE mount, and the gRPC socket. Main runs one until
 * a signal; tests run one in-process.
 */
public final class FsDaemon implements AutoCloseable {
    public static final String GRPC_SOCKET = "sysfs.sock";
    public static final String PID_FILE = "sysfs.pid";

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
        FsDaemon daemon = new FsDaemon(options.runDir(), log);
        try {
            daemon.startAll(options);
            return daemon;
        } catch (StartupException e) {
            daemon.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw new StartupException("sysbox-fs cannot start: " + e.getMessage(), e);
        }
    }

    private void startAll(FsOptions options) throws IOException, StartupException {
        Files.createDirectories(runDir);
        try {
            started.push(PidFileLock.acquire(runDir.resolve(PID_FILE), "sysbox-fs"));
        } catch (PidFileLock.AlreadyRunningException e) {
            throw new StartupException(e.getMessage(), null);
        }
        MountpointGuard.prepare(options.mountpoint(), log);
        mount = SysboxFsMount.mount(options.mountpoint(), options.fuseThreads(), log);
        started.push(mount);
        startGrpc(new GrpcSysFsService(mount, log));
        log.info("sysbox-fs ready: FUSE at {} ({} serving threads), gRPC on {}", mount.mountpoint(),
                options.fuseThreads(), grpcSocket());
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
