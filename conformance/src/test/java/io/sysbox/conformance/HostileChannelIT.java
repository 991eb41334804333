package io.sysbox.conformance;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.ListRequest;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.proto.RegisterResponse;
import io.sysbox.common.proto.SysFsGrpc;
import io.sysbox.common.proto.UnregisterRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 4: hostile peers of the daemons' channels, with a sysbox-fs beside the
 * suite's manager. Oversized, truncated and meaningless frames on the manager's framed channel;
 * oversized and malformed gRPC to sysbox-mgr and sysbox-fs; FUSE requests for nodes sysbox-fs has
 * forgotten. After each: both daemons run and answer, and hold no descriptor, registration or
 * file more than before.
 */
class HostileChannelIT extends SuiteLifecycle {
    private SysboxFsProcess fs;
    private EpollEventLoopGroup group;
    private ManagedChannel managerChannel;
    private ManagedChannel fsChannel;
    private Map<String, Integer> managerFds;
    private Map<String, Integer> fsFds;

    @BeforeAll
    void startSysboxFs() throws IOException {
        fs = SysboxFsProcess.start(env);
        group = new EpollEventLoopGroup(1);
        managerChannel = channel(env.manager().dirs().grpcSocket());
        fsChannel = channel(env.manager().dirs().runDir().resolve("sysfs.sock"));
        // Both channels used once, so their connections are in the baseline.
        ManagerGrpc.newBlockingStub(managerChannel).withDeadlineAfter(30, TimeUnit.SECONDS).list(ListRequest.getDefaultInstance());
        SysFsGrpc.newBlockingStub(fsChannel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .unregister(UnregisterRequest.newBuilder().setId("warm-up").build());
        managerFds = DaemonHealth.descriptors(env.manager().pid(), env.work());
        fsFds = DaemonHealth.descriptors(fs.pid(), env.work());
    }

    @AfterAll
    void stopSysboxFs() {
        if (managerChannel != null) managerChannel.shutdownNow();
        if (fsChannel != null) fsChannel.shutdownNow();
        if (group != null) group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        if (fs != null) fs.close();
    }

    private ManagedChannel channel(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString())).eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class).usePlaintext().build();
    }

    private ManagerGrpc.ManagerBlockingStub manager() {
        return ManagerGrpc.newBlockingStub(managerChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private SysFsGrpc.SysFsBlockingStub sysfs() {
        return SysFsGrpc.newBlockingStub(fsChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void daemonsStillHealthy() throws IOException {
        env.deleteContainers();
        DaemonHealth.managerAnswers(env.manager());
        assertEquals(0, manager().list(ListRequest.getDefaultInstance()).getContainersCount(), "containers the manager still has");
        assertFalse(sysfs().unregister(UnregisterRequest.newBuilder().setId("probe").build()).getExisted(),
                "sysbox-fs answers");
        List<String> leaks = LeakCheck.awaitEmpty(() -> {
            List<String> found = new ArrayList<>();
            found.addAll(DaemonHealth.descriptorLeaks("sysbox-mgr", env.manager().pid(), env.work(), managerFds));
            found.addAll(DaemonHealth.descriptorLeaks("sysbox-fs", fs.pid(), env.work(), fsFds));
            found.addAll(registered());
            return found;
        }, Duration.ofSeconds(20));
        assertEquals(List.of(), leaks, "left after the case");
    }

    private static int allDescriptors(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Containers sysbox-fs still has: its mount's directories and its saved registrations. */
    private List<String> registered() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(fs.mountpoint())) {
            dirs.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".ro")).forEach(n -> found.add("sysbox-fs dir " + n));
        } catch (IOException e) {
            found.add("cannot list " + fs.mountpoint() + ": " + e.getMessage());
        }
        LeakCheck.entries(env.manager().dirs().runDir().resolve("sysfs/containers"), "sysbox-fs saved registration", found);
        return found;
    }

    private SocketChannel connectFramed() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(env.manager().dirs().cliSocket()));
        return channel;
    }

    /** The manager's answer to one raw frame: the status byte and the text. */
    private static String readAnswer(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        while (header.hasRemaining()) if (channel.read(header) < 0) return "(closed)";
        int length = header.flip().getInt();
        ByteBuffer body = ByteBuffer.allocate(length);
        while (body.hasRemaining()) if (channel.read(body) < 0) return "(closed mid-answer)";
        body.flip();
        byte status = body.get();
        return status + ":" + StandardCharsets.UTF_8.decode(body);
    }

    private FramedClient framed() {
        return new FramedClient(env.manager().dirs().cliSocket());
    }

    // --- the manager's framed channel ----------------------------------------------------------

    @Test
    void aFrameLongerThanTheLimit() throws IOException {
        try (SocketChannel channel = connectFramed()) {
            channel.write(ByteBuffer.allocate(4).putInt(0x7fffffff).flip());
            String answer = readAnswer(channel);
            assertTrue(answer.startsWith("1:") && answer.contains("2147483647 bytes") && answer.contains("16 MiB"), answer);
        }
    }

    @Test
    void aFrameOfLengthZero() throws IOException {
        try (SocketChannel channel = connectFramed()) {
            channel.write(ByteBuffer.allocate(4).putInt(0).flip());
            String answer = readAnswer(channel);
            assertTrue(answer.startsWith("1:") && answer.contains("0 bytes"), answer);
        }
    }

    @Test
    void aFrameCutShortByThePeer() throws IOException {
        try (SocketChannel channel = connectFramed()) {
            channel.write(ByteBuffer.allocate(4 + 1 + 10).putInt(1000).put(ManagerMethod.PREPARE.code()).put(new byte[10]).flip());
        }
        DaemonHealth.managerAnswers(env.manager());
    }

    /** A peer stuck in the middle of a frame (announcing 16 MiB, sending 5 bytes) holds up nobody else. */
    @Test
    void aPeerStalledMidFrame() throws IOException {
        try (SocketChannel stalled = connectFramed()) {
            stalled.write(ByteBuffer.allocate(9).putInt(16 << 20).put(ManagerMethod.LIST.code()).put(new byte[4]).flip());
            assertEquals(0, DaemonHealth.managerAnswers(env.manager()));
            assertEquals(0, manager().list(ListRequest.getDefaultInstance()).getContainersCount());
        }
    }

    @Test
    void anUnknownMethod() {
        FramedClient.RemoteException e = assertThrows(FramedClient.RemoteException.class,
                () -> framed().call((byte) 99, new byte[0]));
        assertTrue(e.getMessage().contains("unknown method 99"), e.getMessage());
    }

    @Test
    void aPrepareThatIsNoProtobuf() {
        FramedClient.RemoteException e = assertThrows(FramedClient.RemoteException.class,
                () -> framed().call(ManagerMethod.PREPARE.code(), "\u00ff\u00ffnot a protobuf".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(e.getMessage().contains("malformed PREPARE request"), e.getMessage());
    }

    @Test
    void anEngineOutcomeWithoutALaunch() {
        FramedClient.RemoteException e = assertThrows(FramedClient.RemoteException.class,
                () -> framed().call(ManagerMethod.ENGINE_OUTCOME.code(), EngineOutcome.getDefaultInstance().toByteArray()));
        assertTrue(e.getMessage().contains("ENGINE_OUTCOME without a RUN to answer"), e.getMessage());
    }

    /** 300 connections opened at once and dropped: the manager gives every descriptor back. */
    @Test
    void manyConnectionsOpenedAndDropped() throws IOException {
        DaemonHealth.managerAnswers(env.manager());
        int before = allDescriptors(env.manager().pid());
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) open.add(connectFramed());
            assertEquals(0, DaemonHealth.managerAnswers(env.manager()), "answers with 300 idle connections open");
        } finally {
            for (SocketChannel channel : open) channel.close();
        }
        List<String> left = LeakCheck.awaitEmpty(() -> {
            int now = allDescriptors(env.manager().pid());
            return now > before ? List.of("sysbox-mgr holds " + now + " descriptors, " + before + " before") : List.of();
        }, Duration.ofSeconds(20));
        assertEquals(List.of(), left, "descriptors of the dropped connections");
    }

    // --- gRPC -----------------------------------------------------------------------------------

    @Test
    void aManagerGrpcMessageOverTheLimit() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> manager().prepare(
                PrepareRequest.newBuilder().setId("x".repeat(8 << 20)).setRootfs("/nonexistent").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
    }

    @Test
    void bytesThatAreNoHttp2OnTheManagersGrpcSocket() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(env.manager().dirs().grpcSocket()));
            channel.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(4096);
            while (channel.read(reply) >= 0 && reply.hasRemaining()) {
                // read until the server closes the connection
            }
        }
    }

    @Test
    void aManagerPrepareWithAPathAsId() {
        Path outside = env.work().resolve("escaped.json");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> manager().prepare(
                PrepareRequest.newBuilder().setId("../../../escaped").setRootfs(env.work().toString()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains("invalid container id"), e.toString());
        assertFalse(Files.exists(outside));
    }

    @Test
    void aManagerPrepareOfTheHostRoot() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> manager().prepare(
                PrepareRequest.newBuilder().setId("h-slash").setRootfs("/").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains("host's root directory"), e.toString());
    }

    @Test
    void aSysboxFsRegisterWithAPathAsId() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> sysfs().register(
                RegisterRequest.newBuilder().setId("../../escaped").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertFalse(Files.exists(env.manager().dirs().runDir().resolve("escaped")));
        assertFalse(Files.exists(fs.mountpoint().getParent().resolve("escaped")));
    }

    @Test
    void aSysboxFsGrpcMessageOverTheLimit() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> sysfs().register(
                RegisterRequest.newBuilder().setId("h-big").putCgroupPaths("memory", "/" + "m".repeat(8 << 20)).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
    }

    /** Cgroup paths that are no cgroups: the files say so by an error, sysbox-fs keeps serving. */
    @Test
    void aSysboxFsRegisterWithCgroupPathsThatAreNoCgroups() throws IOException {
        String id = "h-cgroups";
        try {
            RegisterResponse registered;
            try {
                registered = sysfs().register(RegisterRequest.newBuilder().setId(id).putCgroupPaths("memory", "/etc")
                        .putCgroupPaths("cpu", "/nonexistent/../../proc").putCgroupPaths("cpuset", "relative")
                        .setRootUid(100000).setRootGid(100000).build());
            } catch (StatusRuntimeException refused) {
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.toString());
                return;
            }
            Path meminfo = Path.of(registered.getPath(), "proc/meminfo");
            Path uptime = Path.of(registered.getPath(), "proc/uptime");
            String memory;
            try {
                memory = Files.readString(meminfo);
            } catch (IOException failed) {
                memory = failed.getMessage();
            }
            assertFalse(memory.isEmpty(), "meminfo gave neither content nor an error");
            assertTrue(Files.readString(uptime).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"), "uptime still works");
        } finally {
            sysfs().unregister(UnregisterRequest.newBuilder().setId(id).build());
        }
    }

    // --- FUSE -----------------------------------------------------------------------------------

    /**
     * A file held open across its container's unregistration: the kernel then asks about a node and
     * a handle sysbox-fs no longer has. The answer is an error, and the next container is served.
     */
    @Test
    void fuseRequestsForForgottenNodes() throws IOException {
        String id = "h-forgotten";
        RegisterResponse registered = sysfs().register(RegisterRequest.newBuilder().setId(id)
                .setRootUid(100000).setRootGid(100000).build());
        Path uptime = Path.of(registered.getPath(), "proc/uptime");
        try (FileChannel held = FileChannel.open(uptime, StandardOpenOption.READ)) {
            assertTrue(held.read(ByteBuffer.allocate(128), 0) > 0, "the held file reads before");
            assertTrue(sysfs().unregister(UnregisterRequest.newBuilder().setId(id).build()).getExisted());
            IOException e = assertThrows(IOException.class, () -> held.read(ByteBuffer.allocate(128), 0),
                    "a read of a forgotten node must fail");
            assertFalse(e.getMessage().isBlank());
            assertFalse(Files.exists(uptime), "the forgotten node is not looked up again");
        }
        String next = "h-next";
        try {
            RegisterResponse again = sysfs().register(RegisterRequest.newBuilder().setId(next)
                    .setRootUid(100000).setRootGid(100000).build());
            assertTrue(Files.readString(Path.of(again.getPath(), "proc/uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"));
        } finally {
            sysfs().unregister(UnregisterRequest.newBuilder().setId(next).build());
        }
    }

    /** Names no emulated directory has, '..' through the host's passed-through tree included. */
    @Test
    void fuseLookupsOfNamesThatAreNotThere() throws IOException {
        String id = "h-names";
        try {
            RegisterResponse registered = sysfs().register(RegisterRequest.newBuilder().setId(id)
                    .setRootUid(100000).setRootGid(100000).build());
            Path base = Path.of(registered.getPath());
            for (String name : List.of("proc/no-such-file", "proc/" + "n".repeat(255), "sys/kernel/no-such-node",
                    "proc/uptime/child")) {
                assertFalse(Files.exists(base.resolve(name)), name);
            }
            // The kernel resolves "..": up from the passed-through tree lands in this container's own directory.
            assertEquals(Files.readAttributes(base.resolve("sys"), "unix:ino").get("ino"),
                    Files.readAttributes(base.resolve("sys/kernel/.."), "unix:ino").get("ino"));
            ByteString big = ByteString.copyFrom(new byte[1 << 20]);
            IOException e = assertThrows(IOException.class, () -> Files.write(base.resolve("proc/sys/kernel/panic"),
                    big.toByteArray()), "a 1 MiB write into a sysctl must fail");
            assertFalse(e.getMessage().isBlank());
            assertTrue(Files.readString(base.resolve("proc/sys/kernel/panic")).strip().matches("-?\\d+"),
                    "the sysctl keeps a value");
        } finally {
            sysfs().unregister(UnregisterRequest.newBuilder().setId(id).build());
        }
    }
}
