package io.sysbox.cri;

import com.google.protobuf.UnknownFieldSet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.common.proto.PodRange;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.NamespaceOption;
import io.sysbox.cri.api.RunPodSandboxRequest;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.VersionRequest;
import io.sysbox.cri.api.VersionResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static io.sysbox.cri.PodRequests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sysbox-cri between a client and in-process fakes of the upstream CRI runtime and sysbox-mgr, on Unix sockets. */
class CriProxyTest {
    @RegisterExtension
    final CriHarness harness = CriHarness.running();
    private List<RunPodSandboxRequest> upstreamRuns;
    private Map<String, PodRange> reserved;
    private RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet;

    /** A field number api.proto does not declare in VersionRequest/Response (a newer CRI's). */
    private static final int UNKNOWN_FIELD = 99;

    @BeforeEach
    void start() throws Exception {
        upstreamRuns = harness.runtime.runs;
        reserved = harness.manager.reserved;
        kubelet = harness.kubelet();
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
        harness.runtime.fail("Version", Status.RESOURCE_EXHAUSTED.withDescription("upstream says no"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.version(VersionRequest.newBuilder().setVersion("v1").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals("upstream says no", e.getStatus().getDescription());
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
        harness.runtime.fail("RunPodSandbox", Status.UNKNOWN.withDescription("failed to create containerd task"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.runPodSandbox(pod("u4", "sysbox-runc", NamespaceMode.POD)));
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
        assertEquals("failed to create containerd task", e.getStatus().getDescription());
        assertEquals(1, upstreamRuns.size());
        assertTrue(reserved.isEmpty(), "the reservation went with the failed attempt");
    }
}
