package io.sysbox.mgr.emulation;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.proto.RegisterResponse;
import io.sysbox.common.proto.ServedEntry;
import io.sysbox.common.proto.SysFsGrpc;
import io.sysbox.common.proto.UnregisterRequest;
import io.sysbox.setup.resources.EmulatedTree;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * sysbox-fs, reached over gRPC on RUN_DIR/sysfs.sock. It is optional: a manager whose run dir
 * has no sysbox-fs socket (sysbox-fs not started, or a test running the manager alone) sets
 * containers up without emulated files, and says so in its log.
 */
public final class SysFsEmulation implements Emulation {
    private static final long DEADLINE_SECONDS = 10;

    private final Path socket;
    private final Logger log;
    private EventLoopGroup group;
    private ManagedChannel channel;

    public SysFsEmulation(Path socket, Logger log) {
        this.socket = socket;
        this.log = log;
    }

    @Override
    public Optional<EmulatedTree> register(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                   Optional<String> shareStateWith) throws IOException {
        if (!Files.exists(socket)) {
            log.debug("container {}: no sysbox-fs at {}, no emulated /proc and /sys files", id, socket);
            return Optional.empty();
        }
        RegisterRequest.Builder request = RegisterRequest.newBuilder().setId(id).setRootUid(rootUid).setRootGid(rootGid);
        cgroupDirs.forEach((controller, dir) -> request.putCgroupPaths(controller, dir.toString()));
        shareStateWith.ifPresent(request::setShareStateWith);
        try {
            return Optional.of(treeOf(call(stub -> stub.register(request.build()))));
        } catch (StatusRuntimeException e) {
            throw new IOException("sysbox-fs cannot emulate the files of container " + id + ": "
                    + e.getStatus().getDescription() + " (" + e.getStatus().getCode() + ")", e);
        }
    }

    private static EmulatedTree treeOf(RegisterResponse response) {
        Set<String> directories = new HashSet<>(), files = new HashSet<>(), readOnly = new HashSet<>();
        for (ServedEntry entry : response.getServedList()) {
            if (entry.getDirectory()) {
                directories.add(entry.getPath());
            } else {
                files.add(entry.getPath());
                if (entry.getReadOnly()) readOnly.add(entry.getPath());
            }
        }
        return new EmulatedTree(Path.of(response.getPath()), Path.of(response.getReadOnlyPath()), directories, files,
                readOnly, response.getSeccompListener().isEmpty() ? Optional.empty()
                        : Optional.of(Path.of(response.getSeccompListener())));
    }

    @Override
    public void unregister(String id) {
        if (!Files.exists(socket)) return;
        try {
            call(stub -> stub.unregister(UnregisterRequest.newBuilder().setId(id).build()));
        } catch (StatusRuntimeException e) {
            log.warn("container {}: sysbox-fs did not unregister it: {}", id, e.getStatus());
        }
    }

    /**
     * Makes a call, once more on a new channel if sysbox-fs was unreachable: after a restart of
     * sysbox-fs the old channel waits out a reconnection backoff (up to minutes) and fails calls
     * meanwhile, while the new sysbox-fs already listens.
     */
    private <T> T call(Function<SysFsGrpc.SysFsBlockingStub, T> rpc) {
        try {
            return rpc.apply(stub());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) throw e;
            log.debug("sysbox-fs on {} unreachable ({}); trying a new connection", socket, e.getStatus());
            resetChannel();
            return rpc.apply(stub());
        }
    }

    private synchronized void resetChannel() {
        if (channel == null) return;
        channel.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        channel = null;
        group = null;
    }

    private synchronized SysFsGrpc.SysFsBlockingStub stub() {
        if (channel == null) {
            group = new EpollEventLoopGroup(1);
            channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class)
                    // No TCP keepalive on a Unix socket: Netty would warn about the option on every call.
                    .withOption(ChannelOption.SO_KEEPALIVE, null)
                    .usePlaintext().build();
        }
        return SysFsGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
