package io.sysbox.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.PodSandboxState;
import io.sysbox.cri.api.VersionRequest;
import io.sysbox.cri.pods.SysboxPods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The reconcile sysbox-cri runs at start: reservations made before it started, against the upstream's sandboxes. */
class CriReconcileTest {
    @RegisterExtension
    final CriHarness harness = new CriHarness();

    @Test
    void onlyReservationsWhosePodHasNoSandboxUpstreamAreReleased() throws Exception {
        harness.upstreamUp().managerUp();
        harness.runtime.addSandbox("sb-ready", "uid-ready", SysboxPods.HANDLER, PodSandboxState.SANDBOX_READY);
        // A stopped sandbox still belongs to its pod until RemovePodSandbox: its range must stay.
        harness.runtime.addSandbox("sb-stopped", "uid-stopped", SysboxPods.HANDLER,
                PodSandboxState.SANDBOX_NOTREADY);
        harness.manager.reserve("uid-ready");
        harness.manager.reserve("uid-stopped");
        harness.manager.reserve("uid-removed-while-down");

        harness.startCri();

        assertEquals(Set.of("uid-ready", "uid-stopped"), harness.manager.reserved.keySet());
    }

    @Test
    void anUpstreamThatIsNotRunningAtStartReleasesNothing() throws Exception {
        harness.managerUp();
        harness.manager.reserve("uid-a");
        harness.manager.reserve("uid-b");

        var kubelet = harness.startCri();

        // An unreachable upstream is no evidence that the pods are gone.
        assertEquals(Set.of("uid-a", "uid-b"), harness.manager.reserved.keySet());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.version(VersionRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "sysbox-cri serves, the upstream is missing");
    }

    @Test
    void anUpstreamThatCannotListItsSandboxesReleasesNothing() throws Exception {
        harness.upstreamUp().managerUp();
        harness.runtime.fail("ListPodSandbox", Status.UNAVAILABLE.withDescription("containerd is still loading"));
        harness.manager.reserve("uid-a");

        harness.startCri();

        assertEquals(Set.of("uid-a"), harness.manager.reserved.keySet());
    }

    @Test
    void aManagerThatIsDownAtStartDoesNotStopTheProxy() throws Exception {
        harness.upstreamUp();

        var kubelet = harness.startCri();

        assertEquals("fake", kubelet.version(VersionRequest.getDefaultInstance()).getRuntimeName());
    }
}
