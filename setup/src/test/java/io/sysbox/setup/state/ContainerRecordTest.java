package io.sysbox.setup.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ContainerRecordTest {
    private static ContainerRecord record(String rootfs) {
        return new ContainerRecord("/b/podman/userdata", rootfs, false, true, true, Spec.JSON.createObjectNode());
    }

    private static ObjectNode engineState() throws IOException {
        return (ObjectNode) Spec.JSON.readTree("""
                {"ociVersion":"1.0.2-dev","id":"c1","pid":42,"status":"running",
                 "bundle":"/run/sysbox-runc/sysbox/c1","rootfs":"/var/lib/sysbox/shifted/c1/rootfs",
                 "annotations":{"a":"b"},"owner":""}""");
    }

    @Test
    void theRootfsIsRuncsJoinOfTheBundleAndARelativeRootPath() {
        assertEquals("/b/rootfs", ContainerRecord.callerRootfs(Path.of("/b"), "rootfs"));
        assertEquals("/b/rootfs", ContainerRecord.callerRootfs(Path.of("/b"), "./x/../rootfs"));
        assertEquals("/elsewhere/merged", ContainerRecord.callerRootfs(Path.of("/b"), "/elsewhere/merged"));
    }

    @Test
    void theCallersStateNamesItsBundleAndRootfsAndKeepsTheRest() throws IOException {
        ObjectNode state = engineState();
        record("/b/overlay/merged").toCallerState(state);
        assertEquals("/b/podman/userdata", state.path("bundle").asText());
        assertEquals("/b/overlay/merged", state.path("rootfs").asText());
        assertEquals(42, state.path("pid").asInt());
        assertEquals("running", state.path("status").asText());
        assertEquals("b", state.path("annotations").path("a").asText());
    }

    @Test
    void aRecordWithoutARootfsLeavesTheEnginesAndAStateWithoutOneGetsNone() throws IOException {
        ObjectNode state = engineState();
        record("").toCallerState(state);
        assertEquals("/var/lib/sysbox/shifted/c1/rootfs", state.path("rootfs").asText());
        ObjectNode bare = (ObjectNode) Spec.JSON.readTree("{\"id\":\"c1\",\"bundle\":\"/x\"}");
        record("/b/rootfs").toCallerState(bare);
        assertFalse(bare.has("rootfs"));
    }

    @Test
    void theRootfsSurvivesWriteAndRead(@TempDir Path dir) throws IOException {
        record("/b/overlay/merged").write(dir);
        assertEquals("/b/overlay/merged", ContainerRecord.read(dir).orElseThrow().rootfs());
    }

    @Test
    void aRecordWrittenBeforeTheRootfsWasKeptReadsAsEmpty(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(ContainerRecord.FILE),
                "{\"bundle\":\"/b\",\"honorCaps\":false,\"syscontMode\":true,\"managed\":true,\"knobs\":{}}");
        ContainerRecord read = ContainerRecord.read(dir).orElseThrow();
        assertEquals("/b", read.bundle());
        assertEquals("", read.rootfs());
    }
}
