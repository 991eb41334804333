package io.sysbox.fs.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.sysbox.common.proto.SysFsGrpc;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A gRPC client of sysbox-fs's socket, as the runtime will hold one. */
public record SysFsClient(ManagedChannel channel, EventLoopGroup group, SysFsGrpc.SysFsBlockingStub stub)
        implements AutoCloseable {
    public static SysFsClient connect(Path socket) {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
        return new SysFsClient(channel, group, SysFsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
