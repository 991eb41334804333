package io.sysbox.cri;

import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.daemon.UnixSocketGrpcServer;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.proxy.UnixChannels;
import org.apache.logging.log4j.LogManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real sysbox-cri between the test (as the kubelet) and the fakes of the upstream runtime and
 * sysbox-mgr, each on its own Unix socket under one directory. Each daemon is brought up and down
 * by the test, so it can start sysbox-cri with any of them missing or lose one later.
 */
final class CriHarness implements AutoCloseable {
    final FakeRuntime runtime = new FakeRuntime();
    final FakeManager manager = new FakeManager();
    private final Path dir;
    private final Path runDir;
    private final UnixChannels channels = new UnixChannels();
    private UnixSocketGrpcServer upstream;
    private UnixSocketGrpcServer managerServer;
    private UnixSocketGrpcServer sysfs;
    private CriDaemon cri;

    CriHarness(Path dir) throws IOException {
        this.dir = dir;
        this.runDir = dir.resolve("run");
        Files.createDirectories(runDir);
    }

    Path sysfsSocket() {
        return runDir.resolve(CriDaemon.SYSFS_SOCKET);
    }

    CriHarness upstreamUp() throws IOException {
        upstream = UnixSocketGrpcServer.start(dir.resolve("upstream.sock"), 1, runtime);
        return this;
    }

    CriHarness managerUp() throws IOException {
        managerServer = UnixSocketGrpcServer.start(runDir.resolve(CriDaemon.MANAGER_SOCKET), 1, manager);
        return this;
    }

    void managerDown() throws Exception {
        managerServer.close();
        managerServer = null;
    }

    /** sysbox-fs as SysboxHealth sees it: a socket that accepts connections (no service needed). */
    CriHarness sysfsUp() throws IOException {
        sysfs = UnixSocketGrpcServer.start(sysfsSocket(), 1);
        return this;
    }

    /** Starts sysbox-cri (its reconcile included) and answers the kubelet's stub to it. */
    RuntimeServiceGrpc.RuntimeServiceBlockingStub startCri() throws StartupException {
        cri = CriDaemon.start(new CriOptions(runDir, Optional.empty(), "unix://" + dir.resolve("upstream.sock"),
                Optional.empty(), CriOptions.LogLevel.INFO), LogManager.getLogger("sysbox-cri"));
        return RuntimeServiceGrpc.newBlockingStub(channels.open(runDir.resolve("sysbox-cri.sock")));
    }

    @Override
    public void close() throws Exception {
        channels.close();
        for (AutoCloseable c : new AutoCloseable[] {cri, sysfs, managerServer, upstream}) {
            if (c != null) c.close();
        }
    }
}
