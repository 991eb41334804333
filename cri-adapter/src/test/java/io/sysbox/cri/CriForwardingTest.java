package io.sysbox.cri;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.AttachRequest;
import io.sysbox.cri.api.ExecRequest;
import io.sysbox.cri.api.ExecResponse;
import io.sysbox.cri.api.PortForwardRequest;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Methods sysbox-cri does not act on, the streaming ones above all: Exec, Attach and PortForward
 * answer a URL of the upstream's streaming server, which the kubelet connects to itself, so the
 * answer must arrive as the upstream wrote it; so must a failure's code, description and trailers.
 */
class CriForwardingTest {
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-upstream-detail",
            Metadata.ASCII_STRING_MARSHALLER);

    @RegisterExtension
    final CriHarness harness = CriHarness.running();

    @Test
    void execAttachAndPortForwardAnswerTheUpstreamsUrl() {
        ExecRequest exec = ExecRequest.newBuilder().setContainerId("c1").addCmd("sh").setTty(true).setStdin(true)
                .setStdout(true).build();
        AttachRequest attach = AttachRequest.newBuilder().setContainerId("c2").setStdout(true).setStderr(true).build();
        PortForwardRequest forward = PortForwardRequest.newBuilder().setPodSandboxId("sb-9").addPort(8080).build();

        assertEquals(FakeRuntime.streamingUrl("exec", "tok-c1"), harness.kubelet().exec(exec).getUrl());
        assertEquals(FakeRuntime.streamingUrl("attach", "tok-c2"), harness.kubelet().attach(attach).getUrl());
        assertEquals(FakeRuntime.streamingUrl("portforward", "tok-sb-9"),
                harness.kubelet().portForward(forward).getUrl());
        assertEquals(List.of(exec, attach, forward), harness.runtime.streamingRequests, "requests arrive unchanged");
    }

    @ParameterizedTest
    @EnumSource(names = {"NOT_FOUND", "DEADLINE_EXCEEDED", "UNAVAILABLE", "FAILED_PRECONDITION"})
    void anUpstreamFailureReachesTheKubeletUnchanged(Status.Code code) {
        Metadata trailers = new Metadata();
        trailers.put(DETAIL, "container c1 is not running");
        harness.runtime.fail("Exec", Status.fromCode(code).withDescription("upstream: " + code), trailers);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> harness.kubelet().exec(ExecRequest.newBuilder().setContainerId("c1").addCmd("true").build()));

        assertEquals(code, e.getStatus().getCode());
        assertEquals("upstream: " + code, e.getStatus().getDescription());
        assertEquals("container c1 is not running", e.getTrailers().get(DETAIL));
    }

    @Test
    void theKubeletsDeadlineEndsTheUpstreamCallToo() throws Exception {
        harness.runtime.neverAnswer("Exec");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> harness.kubelet().withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .exec(ExecRequest.newBuilder().setContainerId("c1").addCmd("sleep").build()));

        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertTrue(harness.runtime.cancelled.await(10, TimeUnit.SECONDS),
                "the call to the upstream ends with the kubelet's, not left open");
    }

    @Test
    void aCallTheKubeletCancelsIsCancelledUpstream() throws Exception {
        harness.runtime.neverAnswer("Exec");
        ListenableFuture<ExecResponse> call = RuntimeServiceGrpc.newFutureStub(harness.kubelet().getChannel())
                .exec(ExecRequest.newBuilder().setContainerId("c1").addCmd("sleep").build());
        assertTrue(harness.runtime.unanswered.await(10, TimeUnit.SECONDS), "the call reached the upstream");

        // No deadline: only the kubelet's cancellation, relayed by sysbox-cri, can end the upstream's call.
        call.cancel(true);

        assertTrue(harness.runtime.cancelled.await(10, TimeUnit.SECONDS), "the upstream's call was left open");
    }
}
