package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.ExplicitMappings;
import io.sysbox.setup.spec.HostNamespaces;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refusals of the OCI hooks mode, on specs as Podman and runc write them. */
class OciHookSpecTest {
    private static final HostNamespaces HOST = HostNamespaces.ofThisProcess();

    /** What `podman run --uidmap 0:H:S --gidmap 0:H:S` hands runc, reduced to what the checks read. */
    static Spec podmanSpec(List<IdMapping> uids, List<IdMapping> gids) throws InvalidSpecException {
        Spec spec = Spec.parse(("{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"/var/lib/containers/storage/overlay/x/merged\"},"
                + "\"process\":{\"args\":[\"sh\"],\"env\":[\"PATH=/bin\",\"container=podman\"]},"
                + "\"annotations\":{\"io.sysbox.syscont\":\"true\"},"
                + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
                + "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"user\"}]}}")
                .getBytes(StandardCharsets.UTF_8), "podman");
        ArrayNode u = spec.linux().putArray("uidMappings");
        uids.forEach(m -> m.addTo(u));
        ArrayNode g = spec.linux().putArray("gidMappings");
        gids.forEach(m -> m.addTo(g));
        return spec;
    }

    private static String refusal(Spec spec) {
        return assertThrows(InvalidSpecException.class, () -> OciHookSpec.check(spec, HOST)).getMessage();
    }

    private static void dropNamespace(Spec spec, String type) {
        ArrayNode namespaces = (ArrayNode) spec.linux().get("namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (type.equals(namespaces.get(i).path("type").asText())) namespaces.remove(i);
        }
    }

    @Test
    void aPrivateUserNamespaceWithASubordinateRangeIsTheContainersSingleRange() throws Exception {
        Spec spec = podmanSpec(List.of(new IdMapping(0, 100000, 1000), new IdMapping(1000, 101000, 64536)),
                List.of(new IdMapping(0, 100000, 65536)));
        ExplicitMappings range = OciHookSpec.check(spec, HOST);
        assertEquals(new IdMapping(0, 100000, 65536), range.uid());
        assertEquals(new IdMapping(0, 100000, 65536), range.gid());
    }

    @Test
    void noUserNamespaceIsRefusedSayingTheRootWouldBeTheHostsAndHowToGiveOne() throws Exception {
        Spec spec = podmanSpec(List.of(), List.of());
        dropNamespace(spec, "user");
        String message = refusal(spec);
        assertTrue(message.startsWith("linux.namespaces has no \"user\" entry, so the container's root would be the host's root"),
                message);
        assertTrue(message.contains("--uidmap 0:100000:65536"), message);
    }

    @Test
    void joiningAnExistingUserNamespaceIsRefused() throws Exception {
        Spec spec = podmanSpec(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)));
        dropNamespace(spec, "user");
        ((ArrayNode) spec.linux().get("namespaces")).addObject().put("type", "user").put("path", "/proc/1/ns/user");
        assertTrue(refusal(spec).startsWith("linux.namespaces joins the existing user namespace /proc/1/ns/user"));
    }

    @Test
    void aMappingThatIncludesHostIdZeroAnywhereIsRefusedNamingTheEntry() throws Exception {
        IdMapping good = new IdMapping(0, 100000, 65536);
        String root = refusal(podmanSpec(List.of(new IdMapping(0, 0, 65536)), List.of(good)));
        assertTrue(root.startsWith("linux.uidMappings entry \"0 0 65536\" maps container uid 0 to host uid 0, the host's root"),
                root);
        // Container uid 1000 is host root here; the root of the container is not.
        String later = refusal(podmanSpec(List.of(new IdMapping(0, 100000, 1000), new IdMapping(1000, 0, 1)),
                List.of(good)));
        assertTrue(later.startsWith("linux.uidMappings entry \"1000 0 1\" maps container uid 1000 to host uid 0"), later);
        String gid = refusal(podmanSpec(List.of(good), List.of(new IdMapping(0, 0, 65536))));
        assertTrue(gid.startsWith("linux.gidMappings entry \"0 0 65536\" maps container gid 0 to host gid 0"), gid);
    }

    @Test
    void mappingsSysboxCannotHonourAreRefusedAsForSysboxRunc() throws Exception {
        String none = refusal(podmanSpec(List.of(), List.of(new IdMapping(0, 100000, 65536))));
        assertTrue(none.startsWith("linux.uidMappings is empty"), none);
        String small = refusal(podmanSpec(List.of(new IdMapping(0, 100000, 1000)), List.of(new IdMapping(0, 100000, 1000))));
        assertTrue(small.contains("has 1000 ids; system containers need at least 65536"), small);
        String split = refusal(podmanSpec(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 300000, 65536))));
        assertTrue(split.contains("need the same host id for uids and gids"), split);
    }

    @Test
    void theOtherNamespacesAndKnobsFollowTheSystemContainerRules() throws Exception {
        IdMapping range = new IdMapping(0, 100000, 65536);
        Spec shared = podmanSpec(List.of(range), List.of(range));
        dropNamespace(shared, "pid");
        assertTrue(refusal(shared).contains("no \"pid\" entry"));
        Spec knob = podmanSpec(List.of(range), List.of(range));
        ((ArrayNode) ((ObjectNode) knob.process()).get("env")).add("SYSBOX_FOO=1");
        assertTrue(refusal(knob).contains("SYSBOX_FOO"));
    }
}
