package io.sysbox.mgr;

import io.sysbox.common.daemon.PidFileLock;
import io.sysbox.common.daemon.StartedResources;
import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.daemon.UnixSocketGrpcServer;
import io.sysbox.common.keeper.DescriptorKeeper;
import io.sysbox.mgr.emulation.SysFsEmulation;

import io.sysbox.common.channel.FramedServer;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.mgr.idrange.AllocationStore;
import io.sysbox.mgr.idrange.RangeAllocator;
import io.sysbox.mgr.idrange.SubidFile;
import io.sysbox.mgr.mounts.BindMountPolicy;
import io.sysbox.mgr.service.FramedManagerEndpoint;
import io.sysbox.mgr.service.GrpcManagerService;
import io.sysbox.mgr.service.ManagerService;
import io.sysbox.setup.Libexec;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A running manager: pid file lock, id pools, restored state, and the two sockets. Main runs
 * one until a signal; tests run one in-process.
 */
public final class ManagerDaemon implements AutoCloseable {
    public static final String GRPC_SOCKET = "sysmgr.sock";
    public static final String CLI_SOCKET = "sysmgr-cli.sock";
    public static final String PID_FILE = "sysmgr.pid";
    /** sysbox-fs's socket in the same run dir (see emulation.SysFsEmulation). */
    static final String SYSFS_SOCKET = "sysfs.sock";
    static final String POOL_NAME = "sysbox";

    private final Path runDir;
    private final Logger log;
    /** What to undo on close, last started first. */
    private final StartedResources started;

    private ManagerDaemon(Path runDir, Logger log) {
        this.runDir = runDir;
        this.log = log;
        this.started = new StartedResources(log);
    }

    public Path grpcSocket() {
        return runDir.resolve(GRPC_SOCKET);
    }

    public Path cliSocket() {
        return runDir.resolve(CLI_SOCKET);
    }

    public static ManagerDaemon start(ManagerOptions options, Logger log) throws StartupException {
        return StartupException.startOrClose("sysbox-mgr", new ManagerDaemon(options.runDir(), log), d -> d.startAll(options));
    }

    private void startAll(ManagerOptions options) throws IOException, StartupException {
        Files.createDirectories(runDir);
        try {
            started.push(PidFileLock.acquire(runDir.resolve(PID_FILE), "sysbox-mgr"));
        } catch (PidFileLock.AlreadyRunningException e) {
            throw new StartupException(e.getMessage(), null);
        }

        Path dataRoot = options.dataRoot();
        if (!Files.isDirectory(dataRoot)) {
            Files.createDirectories(dataRoot);
            // The container's root must traverse it to reach its shifted rootfs (see ShiftedDirs).
            Files.setPosixFilePermissions(dataRoot, PosixFilePermissions.fromString("rwx--x--x"));
        }
        checkTraversable(dataRoot);
        RangeAllocator allocator = pools(options);
        AllocationStore store = new AllocationStore(dataRoot.resolve("idranges"));
        ConfigResponse config = ConfigResponse.newBuilder()
                .setHonorCaps(options.honorCaps())
                .setSyscontMode(options.syscontMode())
                .setAllowTrustedXattr(options.allowTrustedXattr())
                .setIgnoreSysfsChown(options.ignoreSysfsChown())
                .setRelaxedReadOnly(options.relaxedReadOnly())
                .build();
        ManagerService service = new ManagerService(dataRoot, config, allocator, store,
                new BindMountPolicy(List.of(new BindMountPolicy.OwnDirectory(dataRoot, "data root"),
                        new BindMountPolicy.OwnDirectory(runDir, "run dir"))),
                !options.disableInnerImagePreload(), new SysFsEmulation(runDir.resolve(SYSFS_SOCKET), log), log);
        started.push(service);
        service.restore();
        // Holds sysbox-fs's FUSE connection across a crash of sysbox-fs (see DescriptorKeeper); closed with the
        // manager, which a clean stop of sysboxd does after sysbox-fs took it back.
        started.push(DescriptorKeeper.start(runDir.resolve(DescriptorKeeper.SOCKET), log));

        // The helpers the setup puts in specs: configuration, since the setup runs for every caller.
        Libexec libexec = options.libexecDir().map(Libexec::at).orElseGet(Libexec::fromSystemProperty);
        startGrpc(service, libexec);
        FramedServer framed = new FramedServer(cliSocket(), new FramedManagerEndpoint(service, libexec, log)::newConnection,
                e -> log.warn("framed channel: {}", e.toString()));
        started.push(framed);
        log.info("sysbox-mgr ready: gRPC on {}, framed channel on {}, data root {}, {} of {} id ranges in use",
                grpcSocket(), cliSocket(), dataRoot, allocator.inUse(), allocator.capacity());
    }

    /** The sysbox entries of /etc/subuid and /etc/subgid, created (at the same start in both) when missing. */
    private RangeAllocator pools(ManagerOptions options) throws IOException {
        SubidFile subuid = new SubidFile(options.subuidFile());
        SubidFile subgid = new SubidFile(options.subgidFile());
        long notBelow = Math.max(subuid.endOfEntriesOtherThan(POOL_NAME), subgid.endOfEntriesOtherThan(POOL_NAME));
        SubidFile.Ensured uids = subuid.ensure(POOL_NAME, options.subidPoolSize(), notBelow);
        SubidFile.Ensured gids = subgid.ensure(POOL_NAME, options.subidPoolSize(), notBelow);
        logPool(subuid, uids, options.subidPoolSize());
        logPool(subgid, gids, options.subidPoolSize());
        return new RangeAllocator(uids.entry(), subuid.path(), gids.entry(), options.subidRangeSize());
    }

    private void logPool(SubidFile file, SubidFile.Ensured ensured, long wanted) {
        switch (ensured.action()) {
            case FOUND -> log.debug("id pool {} of {}", ensured.entry().line(), file.path());
            case CREATED -> log.info("added id pool {} to {}", ensured.entry().line(), file.path());
            case EXTENDED -> log.info("extended id pool to {} in {}", ensured.entry().line(), file.path());
            case TOO_SMALL_KEPT -> log.warn("id pool {} of {} is smaller than --subid-pool-size {} and cannot grow"
                    + " without overlapping another entry; using it as it is", ensured.entry().line(), file.path(), wanted);
        }
    }

    /**
     * The low-level runtime reaches a container's shifted rootfs as the container's root, an
     * unprivileged host user, so every directory above the data root must let others search it.
     */
    private void checkTraversable(Path dataRoot) throws IOException {
        Path real = dataRoot.toRealPath();
        for (Path dir = real; dir != null; dir = dir.getParent()) {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            if ((mode & 0001) == 0) {
                log.warn("{} is not searchable by other users (mode {}): containers' root users cannot reach"
                        + " their rootfs under {}; run `chmod o+x {}`", dir, Integer.toOctalString(mode & 07777),
                        real, dir);
            }
        }
    }

    private void startGrpc(ManagerService service, Libexec libexec) throws IOException {
        started.push(UnixSocketGrpcServer.start(grpcSocket(), 2, new GrpcManagerService(service, libexec, log)));
    }

    /** Stops serving; containers' state stays on disk and their mounts stay mounted. */
    @Override
    public void close() {
        started.close();
    }
}
