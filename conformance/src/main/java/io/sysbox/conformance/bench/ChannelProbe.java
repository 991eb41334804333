package io.sysbox.conformance.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.ListRequest;
import io.sysbox.common.proto.ListResponse;
import io.sysbox.common.proto.ManagerGrpc;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One List call to the manager from a fresh JVM, through gRPC or through the framed channel:
 * what a sysbox-runc invocation would pay for either client. Usage: ChannelProbe grpc|framed RUN_DIR
 */
public final class ChannelProbe {
    private ChannelProbe() {}

    public static void main(String[] args) throws Exception {
        Path runDir = Path.of(args[1]);
        ListResponse response = switch (args[0]) {
            case "grpc" -> viaGrpc(runDir.resolve("sysmgr.sock"));
            case "framed" -> ListResponse.parseFrom(new FramedClient(runDir.resolve("sysmgr-cli.sock"))
                    .call(ManagerMethod.LIST.code(), ListRequest.getDefaultInstance().toByteArray()));
            default -> throw new IllegalArgumentException("usage: ChannelProbe grpc|framed RUN_DIR");
        };
        System.out.println(response.getContainersCount());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static ListResponse viaGrpc(Path socket) throws InterruptedException {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        try {
            return ManagerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .list(ListRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
