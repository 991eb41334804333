package io.sysbox.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.PodSandboxState;
import io.sysbox.cri.api.RemovePodSandboxRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;

import static io.sysbox.cri.PodRequests.sysboxPod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RemovePodSandbox of a sysbox-runc pod: the pod's range goes with its last sandbox, whatever the
 * upstream answered.
 */
class CriRemovePodSandboxTest {
    @RegisterExtension
    final CriHarness harness = CriHarness.running();

    private static RemovePodSandboxRequest remove(String id) {
        return RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build();
    }

    @Test
    void theLastSandboxRemovedReleasesThePodsRange() {
        String id = harness.kubelet().runPodSandbox(sysboxPod("u1")).getPodSandboxId();
        assertEquals(Set.of("u1"), harness.manager.reserved.keySet());

        harness.kubelet().removePodSandbox(remove(id));

        assertEquals(List.of(id), harness.runtime.removals);
        assertTrue(harness.manager.reserved.isEmpty());
    }

    @Test
    void aFailedUpstreamRemoveStillReleasesTheRangeAndKeepsItsStatus() {
        String id = harness.kubelet().runPodSandbox(sysboxPod("u1")).getPodSandboxId();
        harness.runtime.fail("RemovePodSandbox", Status.UNKNOWN.withDescription("failed to delete sandbox shim"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> harness.kubelet().removePodSandbox(remove(id)));

        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
        assertEquals("failed to delete sandbox shim", e.getStatus().getDescription());
        assertTrue(harness.runtime.sandboxes.containsKey(id),
                "the upstream still lists the sandbox it failed to remove");
        assertTrue(harness.manager.reserved.isEmpty(), "the kubelet is done with the pod: its range goes");
    }

    @Test
    void anotherSandboxOfThePodKeepsTheRangeUntilItIsRemovedToo() {
        String first = harness.kubelet().runPodSandbox(sysboxPod("u1")).getPodSandboxId();
        String second = harness.kubelet().runPodSandbox(sysboxPod("u1")).getPodSandboxId();

        harness.kubelet().removePodSandbox(remove(first));
        assertEquals(Set.of("u1"), harness.manager.reserved.keySet(), "the pod's later attempt still uses it");

        harness.kubelet().removePodSandbox(remove(second));
        assertTrue(harness.manager.reserved.isEmpty());
    }

    @Test
    void aRuncSandboxLeavesTheReservationsAlone() {
        harness.manager.reserve("u1");
        harness.runtime.addSandbox("sb-runc", "u1", "", PodSandboxState.SANDBOX_READY);

        harness.kubelet().removePodSandbox(remove("sb-runc"));

        assertEquals(List.of("sb-runc"), harness.runtime.removals);
        assertEquals(Set.of("u1"), harness.manager.reserved.keySet());
    }
}
