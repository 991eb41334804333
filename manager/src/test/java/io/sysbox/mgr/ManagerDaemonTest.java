package io.sysbox.mgr;

import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.proto.ListRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.keeper.DescriptorKeeper;
import io.sysbox.common.keeper.DescriptorKeeperClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.ConfigRequest;
import io.sysbox.common.proto.ListResponse;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.ReleaseRequest;
import io.sysbox.common.proto.ReleaseResponse;
import io.sysbox.mgr.testing.HostFixtures;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.sysbox.mgr.testing.HostFixtures.mountsUnder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagerDaemonTest {
    private static final Logger LOG = LogManager.getLogger("test");

    private Path base;
    private Path rootfs;
    private ManagerOptions options;

    @BeforeEach
    void setUp() throws Exception {
        base = HostFixtures.tempDir("mgr-daemon-");
        rootfs = Files.createDirectories(base.resolve("bundle/rootfs"));
        Files.writeString(base.resolve("subuid"), "alice:100000:65536\n");
        Files.writeString(base.resolve("subgid"), "alice:100000:65536\n");
        options = new ManagerOptions(base.resolve("run"), base.resolve("data"), Optional.empty(),
                io.sysbox.common.daemon.LogLevel.INFO, io.sysbox.common.daemon.LogFormat.TEXT, false, true, true, false, false, false,
                65536, 65536L * 16, base.resolve("subuid"), base.resolve("subgid"), Optional.empty());
    }

    @AfterEach
    void tearDown() throws Exception {
        HostFixtures.cleanUp(base);
    }

    private record Grpc(ManagedChannel channel, EventLoopGroup group, ManagerGrpc.ManagerBlockingStub stub)
            implements AutoCloseable {
        static Grpc connect(Path socket) {
            EventLoopGroup group = new EpollEventLoopGroup(1);
            ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
            return new Grpc(channel, group, ManagerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private PrepareRequest prepare(String id) {
        return PrepareRequest.newBuilder().setId(id).setRootfs(rootfs.toString()).build();
    }

    @Test
    void servesPrepareOverGrpcAndTheFramedChannelAndRefusesASecondInstance() throws Exception {
        ManagerDaemon daemon = ManagerDaemon.start(options, LOG);
        try (Grpc grpc = Grpc.connect(daemon.grpcSocket())) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(options.runDir().resolve("sysmgr.pid")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.grpcSocket())));
            DescriptorKeeperClient keeper = new DescriptorKeeperClient(options.runDir().resolve(DescriptorKeeper.SOCKET));
            assertTrue(keeper.reachable(), "the descriptor keeper for sysbox-fs listens beside the other sockets");
            assertTrue(keeper.fetch().isEmpty(), "holding nothing until sysbox-fs hands it its connection");
            assertTrue(Files.readString(base.resolve("subuid")).contains("\nsysbox:196608:1048576\n"));
            assertTrue(Files.readString(base.resolve("subgid")).contains("\nsysbox:196608:1048576\n"));

            PrepareResponse viaGrpc = grpc.stub().prepare(prepare("g1"));
            assertEquals(196608, viaGrpc.getUidMapping().getHostId());
            assertTrue(viaGrpc.getConfig().getAllowTrustedXattr());
            FramedClient framed = new FramedClient(daemon.cliSocket());
            PrepareResponse viaFramed = PrepareResponse.parseFrom(
                    framed.call(ManagerMethod.PREPARE.code(), prepare("f1").toByteArray()));
            assertNotEquals(viaGrpc.getUidMapping(), viaFramed.getUidMapping());
            ListResponse list = ListResponse.parseFrom(framed.call(ManagerMethod.LIST.code(), new byte[0]));
            assertEquals(2, list.getContainersCount());
            assertTrue(grpc.stub().config(ConfigRequest.getDefaultInstance()).getSyscontMode());

            StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class,
                    () -> grpc.stub().prepare(prepare("bad/id")));
            assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
            StatusRuntimeException precondition = assertThrows(StatusRuntimeException.class,
                    () -> grpc.stub().prepare(prepare("s1").toBuilder().setShareWith("nobody").build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, precondition.getStatus().getCode());
            assertTrue(precondition.getStatus().getDescription().contains("nobody"));
            FramedClient.RemoteException remote = assertThrows(FramedClient.RemoteException.class,
                    () -> framed.call(ManagerMethod.PREPARE.code(), prepare("s1").toBuilder().setShareWith("nobody")
                            .build().toByteArray()));
            assertTrue(remote.getMessage().contains("nobody"), remote.getMessage());

            StartupException refused = assertThrows(StartupException.class, () -> ManagerDaemon.start(options, LOG));
            assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid())
                    && refused.getMessage().contains(options.runDir().toString()), refused.getMessage());
            assertTrue(Files.exists(daemon.grpcSocket()), "the refused instance leaves the running one alone");

            assertTrue(ReleaseResponse.parseFrom(framed.call(ManagerMethod.RELEASE.code(),
                    ReleaseRequest.newBuilder().setId("f1").build().toByteArray())).getExisted());
        } finally {
            daemon.close();
        }
        assertFalse(Files.exists(daemon.grpcSocket()));
        assertFalse(Files.exists(daemon.cliSocket()));
        assertFalse(Files.exists(options.runDir().resolve(DescriptorKeeper.SOCKET)));
        assertFalse(Files.exists(options.runDir().resolve("sysmgr.pid")));
        assertEquals(1, mountsUnder(options.dataRoot()).size(), "g1's rootfs stays mounted while the manager is down");

        ManagerDaemon restarted = ManagerDaemon.start(options, LOG);
        try (Grpc grpc = Grpc.connect(restarted.grpcSocket())) {
            ListResponse list = grpc.stub().list(ListRequest.getDefaultInstance());
            assertEquals("g1", list.getContainers(0).getId());
            assertEquals(196608, list.getContainers(0).getUidMapping().getHostId());
            assertTrue(grpc.stub().release(ReleaseRequest.newBuilder().setId("g1").build()).getExisted());
            assertTrue(mountsUnder(options.dataRoot()).isEmpty());
        } finally {
            restarted.close();
        }
    }
}
