package io.sysbox.common.daemon;

import io.grpc.BindableService;
import io.grpc.HandlerRegistry;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's gRPC service on a Unix socket only root may use (0600): Netty's epoll transport,
 * calls on virtual threads. Closing stops serving and removes the socket.
 */
public final class UnixSocketGrpcServer implements AutoCloseable {
    private final Path socket;
    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService calls;

    private UnixSocketGrpcServer(Path socket, Server server, EventLoopGroup boss, EventLoopGroup workers,
                                 ExecutorService calls) {
        this.socket = socket;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.calls = calls;
    }

    public static UnixSocketGrpcServer start(Path socket, int workerThreads, BindableService... services)
            throws IOException {
        return start(socket, workerThreads, null, services);
    }

    /**
     * As above, with {@code fallback} serving every method no service has (a proxy's registry,
     * which decides per method name); null for none.
     */
    public static UnixSocketGrpcServer start(Path socket, int workerThreads, HandlerRegistry fallback,
                                             BindableService... services) throws IOException {
        Files.deleteIfExists(socket);
        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(workerThreads);
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    // gRPC asks for TCP keepalive on every accepted channel; a Unix socket has none, and
                    // Netty would log a warning per connection. A null value removes the option.
                    .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .executor(calls);
            for (BindableService service : services) builder.addService(service);
            if (fallback != null) builder.fallbackHandlerRegistry(fallback);
            Server server = builder.build().start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            return new UnixSocketGrpcServer(socket, server, boss, workers, calls);
        } catch (IOException | RuntimeException e) {
            stopGroups(boss, workers, calls);
            throw e;
        }
    }

    private static void stopGroups(EventLoopGroup boss, EventLoopGroup workers, ExecutorService calls) {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        calls.shutdown();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            server.shutdown();
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) server.shutdownNow();
            Files.deleteIfExists(socket);
        } finally {
            stopGroups(boss, workers, calls);
        }
    }
}
