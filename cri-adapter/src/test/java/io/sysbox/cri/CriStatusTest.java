package io.sysbox.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.RuntimeCondition;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.StatusRequest;
import io.sysbox.cri.api.StatusResponse;
import io.sysbox.cri.health.SysboxHealth;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Status through sysbox-cri: the upstream's answer as it is, plus SysboxManagerReady and SysboxFsReady. */
class CriStatusTest {
    @RegisterExtension
    final CriHarness harness = new CriHarness();

    @BeforeEach
    void setUp() throws Exception {
        harness.upstreamUp();
    }

    /** Status, checked to carry the upstream's conditions and info unchanged. */
    private static StatusResponse statusKeepingTheUpstreams(RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet) {
        StatusResponse status = kubelet.status(StatusRequest.getDefaultInstance());
        List<RuntimeCondition> conditions = status.getStatus().getConditionsList();
        assertEquals(FakeRuntime.CONDITIONS.size() + 2, conditions.size(), conditions.toString());
        // The upstream's conditions first and untouched: NetworkReady false stays false, with its reason.
        assertEquals(FakeRuntime.CONDITIONS, conditions.subList(0, FakeRuntime.CONDITIONS.size()));
        assertEquals(FakeRuntime.STATUS_INFO, status.getInfoMap());
        return status;
    }

    private static RuntimeCondition condition(StatusResponse status, String type) {
        return status.getStatus().getConditionsList().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + status));
    }

    @Test
    void bothDaemonsAnsweringAreReadyWithNoReason() throws Exception {
        harness.managerUp().sysfsUp();
        StatusResponse status = statusKeepingTheUpstreams(harness.startCri());
        for (String type : List.of(SysboxHealth.MANAGER_READY, SysboxHealth.FS_READY)) {
            RuntimeCondition c = condition(status, type);
            assertTrue(c.getStatus(), c.toString());
            assertEquals("", c.getReason());
            assertEquals("", c.getMessage());
        }
    }

    @Test
    void aManagerThatWentDownIsNotReadyWithAReason() throws Exception {
        harness.managerUp().sysfsUp();
        var kubelet = harness.startCri();
        assertTrue(condition(statusKeepingTheUpstreams(kubelet), SysboxHealth.MANAGER_READY).getStatus());

        harness.managerDown();

        StatusResponse status = statusKeepingTheUpstreams(kubelet);
        RuntimeCondition manager = condition(status, SysboxHealth.MANAGER_READY);
        assertFalse(manager.getStatus());
        assertEquals("SysboxManagerUnreachable", manager.getReason());
        assertTrue(manager.getMessage().startsWith("sysbox-mgr does not answer: Status{code=UNAVAILABLE"),
                manager.getMessage());
        assertTrue(condition(status, SysboxHealth.FS_READY).getStatus(), "sysbox-fs is still up");
    }

    @Test
    void aSysboxFsThatIsDownIsNotReadyWithAReasonNamingItsSocket() throws Exception {
        harness.managerUp();
        StatusResponse status = statusKeepingTheUpstreams(harness.startCri());
        RuntimeCondition fs = condition(status, SysboxHealth.FS_READY);
        assertFalse(fs.getStatus());
        assertEquals("SysboxFsUnreachable", fs.getReason());
        assertTrue(fs.getMessage().startsWith("sysbox-fs does not accept connections on " + harness.sysfsSocket()),
                fs.getMessage());
        assertTrue(condition(status, SysboxHealth.MANAGER_READY).getStatus(), "sysbox-mgr is up");
    }

    @Test
    void aFailingUpstreamStatusReachesTheKubeletAsItIs() throws Exception {
        harness.managerUp().sysfsUp();
        harness.runtime.fail("Status", Status.UNAVAILABLE.withDescription("containerd: server is not initialized yet"));
        var kubelet = harness.startCri();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kubelet.status(StatusRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("containerd: server is not initialized yet", e.getStatus().getDescription());
    }
}
