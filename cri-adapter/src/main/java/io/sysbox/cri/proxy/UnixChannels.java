package io.sysbox.cri.proxy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** gRPC channels to Unix sockets (the upstream CRI runtime, sysbox-mgr), sharing one event loop; closed together. */
public final class UnixChannels implements AutoCloseable {
    private final EventLoopGroup group = new EpollEventLoopGroup(2);
    private final List<ManagedChannel> channels = new ArrayList<>();

    public synchronized ManagedChannel open(Path socket) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group)
                // CRI answers (ListContainers of a busy node, ExecSync output) can exceed gRPC's 4 MiB default.
                .maxInboundMessageSize(64 << 20)
                .usePlaintext().build();
        channels.add(channel);
        return channel;
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (ManagedChannel channel : channels) channel.shutdownNow();
        for (ManagedChannel channel : channels) channel.awaitTermination(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
