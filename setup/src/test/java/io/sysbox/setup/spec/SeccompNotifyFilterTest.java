package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SeccompNotifyFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Spec spec(String seccomp) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree("{\"ociVersion\":\"1.0.2\",\"linux\":{" + seccomp + "}}");
        return new Spec(root);
    }

    private static List<String> namesWith(JsonNode seccomp, String action) {
        List<String> names = new ArrayList<>();
        for (JsonNode rule : seccomp.path("syscalls")) {
            if (action.equals(rule.path("action").asText())) rule.path("names").forEach(n -> names.add(n.asText()));
        }
        return names;
    }

    @Test
    void theEnginesProfileGetsTheNotifyRuleInPlaceOfItsOwnForMounts() throws Exception {
        Spec spec = spec("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                + "{\"names\":[\"read\",\"mount\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"umount2\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        SeccompNotifyFilter.apply(spec, "/run/sysbox/sysfs-seccomp.sock");
        JsonNode seccomp = spec.linux().get("seccomp");
        assertEquals("/run/sysbox/sysfs-seccomp.sock", seccomp.path("listenerPath").asText());
        assertEquals(List.of("read"), namesWith(seccomp, "SCMP_ACT_ALLOW"));
        assertEquals(List.of("mount", "umount2"), namesWith(seccomp, "SCMP_ACT_NOTIFY"));
        assertEquals("SCMP_ACT_ERRNO", seccomp.path("defaultAction").asText());
    }

    @Test
    void aSpecWithoutProfileGetsOneAllowingEverythingElse() throws Exception {
        Spec spec = spec("");
        SeccompNotifyFilter.apply(spec, "/r/sysfs-seccomp.sock");
        JsonNode seccomp = spec.linux().get("seccomp");
        assertEquals("SCMP_ACT_ALLOW", seccomp.path("defaultAction").asText());
        assertEquals(List.of("mount", "umount2"), namesWith(seccomp, "SCMP_ACT_NOTIFY"));
    }

    @Test
    void anAllowByDefaultProfilesOwnDenialStays() throws Exception {
        Spec spec = spec("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                + "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
        SeccompNotifyFilter.apply(spec, "/r/s.sock");
        JsonNode seccomp = spec.linux().get("seccomp");
        assertEquals(List.of("mount"), namesWith(seccomp, "SCMP_ACT_ERRNO"));
        assertEquals(List.of("umount2"), namesWith(seccomp, "SCMP_ACT_NOTIFY"));
        assertFalse(namesWith(seccomp, "SCMP_ACT_NOTIFY").contains("mount"));
    }
}
