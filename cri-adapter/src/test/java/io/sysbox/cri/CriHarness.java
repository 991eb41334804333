package io.sysbox.cri;

import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.daemon.UnixSocketGrpcServer;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.proxy.UnixChannels;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real sysbox-cri between the test (as the kubelet) and the fakes of the upstream runtime and
 * sysbox-mgr, each on its own Unix socket under one directory. Each daemon is brought up and down
 * by the test, so it can start sysbox-cri with any of them missing or lose one later. A test
 * registers it as an extension ({@code @RegisterExtension}): each test gets its own directory,
 * and everything started is stopped and removed after it. {@link #running()} starts all three
 * before each test; {@code new CriHarness()} starts nothing.
 */
final class CriHarness implements BeforeEachCallback, AfterEachCallback {
    final FakeRuntime runtime = new FakeRuntime();
    final FakeManager manager = new FakeManager();
    private Path dir;
    private Path runDir;
    private UnixChannels channels;
    private UnixSocketGrpcServer upstream;
    private UnixSocketGrpcServer managerServer;
    private UnixSocketGrpcServer sysfs;
    private CriDaemon cri;
    private RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet;
    private boolean startAll;

    /** Upstream and manager up and sysbox-cri started before each test (no sysbox-fs). */
    static CriHarness running() {
        CriHarness harness = new CriHarness();
        harness.startAll = true;
        return harness;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, StartupException {
        // Short and fresh: a Unix socket path must stay under 108 bytes.
        dir = Files.createTempDirectory("sysbox-cri-test");
        runDir = Files.createDirectories(dir.resolve("run"));
        channels = new UnixChannels();
        if (startAll) upstreamUp().managerUp().startCri();
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
                Optional.empty(), io.sysbox.common.daemon.LogLevel.INFO), LogManager.getLogger("sysbox-cri"));
        kubelet = RuntimeServiceGrpc.newBlockingStub(channels.open(runDir.resolve("sysbox-cri.sock")));
        return kubelet;
    }

    /** The kubelet's stub to the started sysbox-cri. */
    RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet() {
        return kubelet;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        channels.close();
        for (AutoCloseable c : new AutoCloseable[] {cri, sysfs, managerServer, upstream}) {
            if (c != null) c.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
