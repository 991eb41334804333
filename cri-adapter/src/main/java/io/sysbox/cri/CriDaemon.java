package io.sysbox.cri;

import io.grpc.ManagedChannel;
import io.grpc.ServerCallHandler;
import io.sysbox.common.daemon.StartedResources;
import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.daemon.UnixSocketGrpcServer;
import io.sysbox.cri.health.StatusWithSysbox;
import io.sysbox.cri.health.SysboxHealth;
import io.sysbox.cri.pods.PodRangeClient;
import io.sysbox.cri.pods.SysboxPods;
import io.sysbox.cri.proxy.CriRegistry;
import io.sysbox.cri.proxy.RawForwarding;
import io.sysbox.cri.proxy.UnaryHandler;
import io.sysbox.cri.proxy.UnixChannels;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

/** A running sysbox-cri: channels to the upstream and the manager, the reconcile, the socket. */
public final class CriDaemon implements AutoCloseable {
    static final String MANAGER_SOCKET = "sysmgr.sock";
    static final String SYSFS_SOCKET = "sysfs.sock";

    private final StartedResources started;

    private CriDaemon(Logger log) {
        this.started = new StartedResources(log);
    }

    public static CriDaemon start(CriOptions options, Logger log) throws StartupException {
        return StartupException.startOrClose("sysbox-cri", new CriDaemon(log), d -> d.startAll(options, log));
    }

    private void startAll(CriOptions options, Logger log) throws IOException, StartupException {
        UnixChannels channels = started.push(new UnixChannels());
        ManagedChannel upstream = channels.open(options.upstreamPath());
        ManagedChannel manager = channels.open(options.runDir().resolve(MANAGER_SOCKET));
        SysboxPods pods = new SysboxPods(upstream, new PodRangeClient(manager), log);
        try {
            int released = pods.reconcile();
            log.info("reconciled pod ranges with {}: {} released", options.upstream(), released);
        } catch (RuntimeException e) {
            // Not fatal: the kubelet must reach the upstream through us even when the manager is down.
            log.warn("cannot reconcile pod ranges now ({}); reservations are kept", e.getMessage());
        }
        StatusWithSysbox status = new StatusWithSysbox(upstream,
                new SysboxHealth(manager, options.runDir().resolve(SYSFS_SOCKET)));
        Map<String, ServerCallHandler<byte[], byte[]>> handled = Map.of(
                "runtime.v1.RuntimeService/RunPodSandbox", new UnaryHandler(pods::runPodSandbox),
                "runtime.v1.RuntimeService/RemovePodSandbox", new UnaryHandler(pods::removePodSandbox),
                "runtime.v1.RuntimeService/Status", new UnaryHandler(status::status));
        Files.createDirectories(options.socketPath().toAbsolutePath().getParent());
        started.push(UnixSocketGrpcServer.start(options.socketPath(), 2,
                new CriRegistry(handled, new RawForwarding(upstream))));
        log.info("sysbox-cri ready on {}, upstream {}, sysbox run dir {}", options.socketPath(), options.upstream(),
                options.runDir());
    }

    @Override
    public void close() {
        started.close();
    }
}
