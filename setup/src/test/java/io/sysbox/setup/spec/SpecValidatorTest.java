package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecValidatorTest {

    private static final HostNamespaces HOST = HostNamespaces.ofThisProcess();
    private static final Map<String, String> PROC_NAME = Map.of(
            "pid", "pid", "ipc", "ipc", "uts", "uts", "mount", "mnt", "network", "net", "user", "user", "cgroup", "cgroup");

    private static ArrayNode namespaces(Spec spec) {
        return Spec.arrayIn(spec.linux(), "namespaces");
    }

    private static void removeNamespace(Spec spec, String type) {
        ArrayNode ns = namespaces(spec);
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (type.equals(ns.get(i).path("type").asText())) ns.remove(i);
        }
    }

    private static void joinNamespace(Spec spec, String type, String path) {
        removeNamespace(spec, type);
        namespaces(spec).addObject().put("type", type).put("path", path);
    }

    private static String refusal(Spec spec, HostNamespaces host) {
        return assertThrows(InvalidSpecException.class, () -> SpecValidator.validate(spec, host)).getMessage();
    }

    private static void setMappings(Spec spec, List<IdMapping> uids, List<IdMapping> gids) {
        ArrayNode u = spec.linux().putArray("uidMappings");
        uids.forEach(m -> m.addTo(u));
        ArrayNode g = spec.linux().putArray("gidMappings");
        gids.forEach(m -> m.addTo(g));
    }

    @Test
    void acceptsTheDockerSpec() {
        assertDoesNotThrow(() -> SpecValidator.validate(TestSpecs.docker(), HOST));
    }

    @Test
    void refusesEachMissingPrivateNamespaceByName() {
        for (String type : List.of("pid", "ipc", "uts", "mount", "network")) {
            Spec spec = TestSpecs.docker();
            removeNamespace(spec, type);
            String message = refusal(spec, HOST);
            assertTrue(message.contains("\"" + type + "\"") && message.contains("host's " + type + " namespace"), message);
        }
        Spec net = TestSpecs.docker();
        removeNamespace(net, "network");
        assertTrue(refusal(net, HOST).contains("--net=host"));
        Spec pid = TestSpecs.docker();
        removeNamespace(pid, "pid");
        assertTrue(refusal(pid, HOST).contains("--pid=host"));
    }

    @Test
    void refusesEachNamespacePathThatIsTheHosts() {
        long self = ProcessHandle.current().pid();
        for (var e : PROC_NAME.entrySet()) {
            for (String path : List.of("/proc/self/ns/" + e.getValue(), "/proc/" + self + "/ns/" + e.getValue())) {
                Spec spec = TestSpecs.docker();
                joinNamespace(spec, e.getKey(), path);
                String message = refusal(spec, HOST);
                assertTrue(message.contains(path) && message.contains("host's " + e.getKey() + " namespace"), message);
            }
        }
        Spec net = TestSpecs.docker();
        joinNamespace(net, "network", "/proc/self/ns/net");
        String message = refusal(net, HOST);
        assertTrue(message.contains("--net=host is not supported by system containers"), message);
    }

    @Test
    void acceptsJoiningANetworkNamespaceThatIsNotTheHosts() throws Exception {
        try (NetNamespaceChild child = new NetNamespaceChild()) {
            Spec spec = TestSpecs.docker();
            joinNamespace(spec, "network", child.nsDir().resolve("net").toString());
            SpecValidator.validate(spec, HOST);
        }
    }

    @Test
    void namespaceIdentityAgreesWithTheKernelsLinkText() throws Exception {
        try (NetNamespaceChild child = new NetNamespaceChild()) {
            NamespaceId theirs = NamespaceId.of(child.nsDir().resolve("net"));
            NamespaceId ours = HOST.of("network").orElseThrow();
            assertNotEquals(ours, theirs);
            assertEquals("net:[" + theirs.inode() + "]", child.link("net"));
            assertEquals("net:[" + ours.inode() + "]", Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
            // The child shares every other namespace with us.
            assertEquals(HOST.of("pid"), Optional.of(NamespaceId.of(child.nsDir().resolve("pid"))));
        }
    }

    @Test
    void theHostIsWhateverNamespaceDirectoryItIsGiven() throws Exception {
        try (NetNamespaceChild child = new NetNamespaceChild()) {
            HostNamespaces childAsHost = new HostNamespaces(child.nsDir());
            Spec joinsChild = TestSpecs.docker();
            joinNamespace(joinsChild, "network", child.nsDir().resolve("net").toString());
            String message = refusal(joinsChild, childAsHost);
            assertTrue(message.contains("host's network namespace"), message);

            Spec joinsOurs = TestSpecs.docker();
            joinNamespace(joinsOurs, "network", "/proc/self/ns/net");
            SpecValidator.validate(joinsOurs, childAsHost);
        }
    }

    @Test
    void refusesANamespacePathThatDoesNotExist() {
        Spec spec = TestSpecs.docker();
        joinNamespace(spec, "network", "/proc/999999999/ns/net");
        String message = refusal(spec, HOST);
        assertTrue(message.contains("/proc/999999999/ns/net") && message.contains("does not exist"), message);
    }

    @Test
    void refusesAMissingRootPath() {
        Spec spec = TestSpecs.docker();
        spec.json().remove("root");
        String message = refusal(spec, HOST);
        assertTrue(message.contains("root.path") && message.contains("missing"), message);
        Spec empty = TestSpecs.docker();
        Spec.objectIn(empty.json(), "root").put("path", "");
        assertTrue(refusal(empty, HOST).contains("root.path"));
    }

    @Test
    void noMappingsLeavesTheChoiceToTheManager() throws Exception {
        assertEquals(Optional.empty(), ExplicitMappings.of(TestSpecs.docker()));
    }

    @Test
    void honoursOneRangePerKind() throws Exception {
        Spec spec = TestSpecs.docker();
        setMappings(spec, List.of(new IdMapping(0, 231072, 65536)), List.of(new IdMapping(0, 231072, 65536)));
        SpecValidator.validate(spec, HOST);
        ExplicitMappings m = ExplicitMappings.of(spec).orElseThrow();
        assertEquals(new IdMapping(0, 231072, 65536), m.uid());
        assertEquals(new IdMapping(0, 231072, 65536), m.gid());
    }

    @Test
    void mergesEntriesThatFormOneContiguousRangeInAnyOrder() throws Exception {
        Spec spec = TestSpecs.docker();
        setMappings(spec,
                List.of(new IdMapping(1000, 101000, 64536), new IdMapping(0, 100000, 1000)),
                List.of(new IdMapping(0, 100000, 1), new IdMapping(1, 100001, 99999)));
        SpecValidator.validate(spec, HOST);
        ExplicitMappings m = ExplicitMappings.of(spec).orElseThrow();
        assertEquals(new IdMapping(0, 100000, 65536), m.uid());
        assertEquals(new IdMapping(0, 100000, 100000), m.gid());
    }

    private static String mappingRefusal(List<IdMapping> uids, List<IdMapping> gids) {
        Spec spec = TestSpecs.docker();
        setMappings(spec, uids, gids);
        return refusal(spec, HOST);
    }

    @Test
    void refusesEntriesWithAGap() {
        String message = mappingRefusal(
                List.of(new IdMapping(0, 100000, 1000), new IdMapping(1000, 200000, 64536)),
                List.of(new IdMapping(0, 100000, 65536)));
        assertTrue(message.contains("linux.uidMappings") && message.contains("contiguous"), message);
        String containerGap = mappingRefusal(List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 100000, 1000), new IdMapping(2000, 101000, 64536)));
        assertTrue(containerGap.contains("linux.gidMappings") && containerGap.contains("contiguous"), containerGap);
    }

    @Test
    void refusesARangeThatDoesNotStartAtContainerIdZero() {
        String message = mappingRefusal(List.of(new IdMapping(1, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)));
        assertTrue(message.contains("linux.uidMappings") && message.contains("container id 0"), message);
    }

    @Test
    void refusesARangeSmallerThan65536() {
        String message = mappingRefusal(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65535)));
        assertTrue(message.contains("linux.gidMappings") && message.contains("65535 ids")
                && message.contains("at least 65536"), message);
    }

    @Test
    void refusesDifferentUidAndGidHostIds() {
        String message = mappingRefusal(List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 200000, 65536)));
        assertTrue(message.contains("host id 100000") && message.contains("host id 200000")
                && message.contains("same host id"), message);
    }

    @Test
    void refusesHostIdZero() {
        String message = mappingRefusal(List.of(new IdMapping(0, 0, 65536)), List.of(new IdMapping(0, 0, 65536)));
        assertTrue(message.contains("host id 0") && message.contains("subordinate"), message);
    }

    @Test
    void refusesARangeBeyondTheIdSpace() {
        String message = mappingRefusal(List.of(new IdMapping(0, 4294930000L, 65536)),
                List.of(new IdMapping(0, 4294930000L, 65536)));
        assertTrue(message.contains("largest host id"), message);
    }

    @Test
    void refusesEmptyEntriesAndOneSidedMappings() {
        String zero = mappingRefusal(List.of(new IdMapping(0, 100000, 0)), List.of(new IdMapping(0, 100000, 65536)));
        assertTrue(zero.contains("size positive"), zero);
        String oneSided = mappingRefusal(List.of(new IdMapping(0, 100000, 65536)), List.of());
        assertTrue(oneSided.contains("linux.gidMappings") && oneSided.contains("both or neither"), oneSided);
    }

    @Test
    void mappingObjectsOutsideTheSpecFieldsAreIgnored() throws Exception {
        // An engine-specific field on a mapping entry must not confuse the checks.
        Spec spec = TestSpecs.docker();
        setMappings(spec, List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)));
        ((ObjectNode) spec.linux().get("uidMappings").get(0)).put("x-note", "remapped");
        SpecValidator.validate(spec, HOST);
    }
}
