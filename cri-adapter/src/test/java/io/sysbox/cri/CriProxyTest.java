package io.sysbox.cri;

import com.google.protobuf.UnknownFieldSet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sysbox.common.daemon.UnixSocketGrpcServer;
import io.sysbox.common.proto.IdMapping;
import io.sysbox.common.proto.ListPodRangesRequest;
import io.sysbox.common.proto.ListPodRangesResponse;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.PodRange;
import io.sysbox.common.proto.ReleasePodRangeRequest;
import io.sysbox.common.proto.ReleasePodRangeResponse;
import io.sysbox.common.proto.ReservePodRangeRequest;
import io.sysbox.cri.api.ListPodSandboxRequest;
import io.sysbox.cri.api.ListPodSandboxResponse;
import io.sysbox.cri.api.LinuxPodSandboxConfig;
import io.sysbox.cri.api.LinuxSandboxSecurityContext;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.NamespaceOption;
import io.sysbox.cri.api.PodSandboxConfig;
import io.sysbox.cri.api.PodSandboxMetadata;
import io.sysbox.cri.api.RunPodSandboxRequest;
import io.sysbox.cri.api.RunPodSandboxResponse;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.VersionRequest;
import io.sysbox.cri.api.VersionResponse;
import io.sysbox.cri.proxy.UnixChannels;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sysbox-cri between a client and in-process fakes of the upstream CRI runtime and sysbox-mgr, on Unix sockets. */
class CriProxyTest {
    @TempDir
    Path dir;

    private final List<RunPodSandboxRequest> upstreamRuns = new CopyOnWriteArrayList<>();
    private final Map<String, PodRange> reserved = new ConcurrentHashMap<>();
    private volatile Status runOutcome = Status.OK;
    private UnixSocketGrpcServer upstream;
    private UnixSocketGrpcServer manager;
    private CriDaemon cri;
    private UnixChannels channels;
    private RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet;

    /** A field number api.proto does not declare in VersionRequest/Response (a newer CRI's). */
    private static final int UNKNOWN_FIELD = 99;

    private final class FakeRuntime extends RuntimeServiceGrpc.RuntimeServiceImplBase {
        @Override
        public void version(VersionRequest request, StreamObserver<VersionResponse> response) {
            if (request.getVersion().equals("fail")) {
                response.onError(Status.RESOURCE_EXHAUSTED.withDescription("upstream says no").asRuntimeException());
                return;
            }
            // Echo the unknown field back: it must have reached us untouched.
            response.onNext(VersionResponse.newBuilder().setRuntimeName("fake")
                    .setUnknownFields(request.getUnknownFields()).build());
            response.onCompleted();
        }

        @Override
        public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> response) {
            upstreamRuns.add(request);
            if (!runOutcome.isOk()) {
                response.onError(runOutcome.asRuntimeException());
                return;
            }
            response.onNext(RunPodSandboxResponse.newBuilder().setPodSandboxId("sb-1").build());
            response.onCompleted();
        }

        @Override
        public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> response) {
            response.onNext(ListPodSandboxResponse.getDefaultInstance());
            response.onCompleted();
        }
    }

    private final class FakeManager extends ManagerGrpc.ManagerImplBase {
        @Override
        public void reservePodRange(ReservePodRangeRequest request, StreamObserver<PodRange> response) {
            IdMapping m = IdMapping.newBuilder().setHostId(165536 + 65536 * reserved.size()).setSize(65536).build();
            PodRange range = reserved.computeIfAbsent(request.getPod().getUid(),
                    uid -> PodRange.newBuilder().setPod(request.getPod()).setUidMapping(m).setGidMapping(m).build());
            response.onNext(range);
            response.onCompleted();
        }

        @Override
        public void releasePodRange(ReleasePodRangeRequest request, StreamObserver<ReleasePodRangeResponse> response) {
            boolean existed = reserved.remove(request.getPodUid()) != null;
            response.onNext(ReleasePodRangeResponse.newBuilder().setExisted(existed).build());
            response.onCompleted();
        }

        @Override
        public void listPodRanges(ListPodRangesRequest request, StreamObserver<ListPodRangesResponse> response) {
            response.onNext(ListPodRangesResponse.newBuilder().addAllRanges(reserved.values()).build());
            response.onCompleted();
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path runDir = dir.resolve("run");
        java.nio.file.Files.createDirectories(runDir);
        upstream = UnixSocketGrpcServer.start(dir.resolve("upstream.sock"), 1, new FakeRuntime());
        manager = UnixSocketGrpcServer.start(runDir.resolve("sysmgr.sock"), 1, new FakeManager());
        cri = CriDaemon.start(new CriOptions(runDir, Optional.empty(), "unix://" + dir.resolve("upstream.sock"),
                Optional.empty(), CriOptions.LogLevel.INFO), LogManager.getLogger("sysbox-cri"));
        channels = new UnixChannels();
        ManagedChannel channel = channels.open(runDir.resolve("sysbox-cri.sock"));
        kubelet = RuntimeServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channels.close();
        cri.close();
        manager.close();
        upstream.close();
    }

    @Test
    void aFieldThisProtoDoesNotKnowPassesThroughBothWays() {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(UNKNOWN_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(42).build()).build();
        VersionResponse answer = kubelet.version(VersionRequest.newBuilder().setVersion("v1")
                .setUnknownFields(unknown).build());
        assertEquals("fake", answer.getRuntimeName());
        assertEquals(List.of(42L), answer.getUnknownFields().getField(UNKNOWN_FIELD).getVarintList());
    }

    @Test
    void theUpstreamsStatusCodeReachesTheKubelet() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.version(VersionRequest.newBuilder().setVersion("fail").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("upstream says no", e.getStatus().getDescription());
    }

    private static RunPodSandboxRequest pod(String uid, String handler, NamespaceMode network) {
        return RunPodSandboxRequest.newBuilder().setRuntimeHandler(handler).setConfig(PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setUid(uid).setNamespace("default").setName("p-" + uid))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setNetwork(network))))).build();
    }

    @Test
    void aSysboxPodGetsItsReservedRangeInTheForwardedRequest() {
        assertEquals("sb-1", kubelet.runPodSandbox(pod("u1", "sysbox-runc", NamespaceMode.POD)).getPodSandboxId());
        RunPodSandboxRequest forwarded = upstreamRuns.getFirst();
        NamespaceOption ns = forwarded.getConfig().getLinux().getSecurityContext().getNamespaceOptions();
        assertEquals(NamespaceMode.POD, ns.getUsernsOptions().getMode());
        assertEquals(165536, ns.getUsernsOptions().getUids(0).getHostId());
        assertEquals(65536, ns.getUsernsOptions().getGids(0).getLength());
        assertEquals("private:uidmapping=0:165536:65536;gidmapping=0:165536:65536",
                forwarded.getConfig().getAnnotationsOrThrow("io.kubernetes.cri-o.userns-mode"));
        assertTrue(reserved.containsKey("u1"));
    }

    @Test
    void aRuncPodIsForwardedUntouched() {
        RunPodSandboxRequest request = pod("u2", "", NamespaceMode.NODE);
        kubelet.runPodSandbox(request);
        assertEquals(request, upstreamRuns.getFirst());
        assertTrue(reserved.isEmpty());
    }

    @Test
    void hostNetworkIsRefusedBeforeAnythingIsMade() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.runPodSandbox(pod("u3", "sysbox-runc", NamespaceMode.NODE)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("hostNetwork shares the host's network namespace"),
                e.getStatus().getDescription());
        assertTrue(upstreamRuns.isEmpty());
        assertTrue(reserved.isEmpty());
    }

    @Test
    void aFailedUpstreamRunReleasesTheRangeAndKeepsItsStatus() {
        runOutcome = Status.UNKNOWN.withDescription("failed to create containerd task");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.runPodSandbox(pod("u4", "sysbox-runc", NamespaceMode.POD)));
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
        assertEquals("failed to create containerd task", e.getStatus().getDescription());
        assertEquals(1, upstreamRuns.size());
        assertTrue(reserved.isEmpty(), "the reservation went with the failed attempt");
    }
}
