package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecTemplateTest {

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    /** What `runc spec` writes on this machine, for comparison. */
    private static Spec runcSpec() throws Exception {
        Path dir = Files.createTempDirectory("runc-spec");
        try {
            Process p = new ProcessBuilder("runc", "spec", "--bundle", dir.toString()).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), out);
            } finally {
                p.destroyForcibly();
            }
            return Spec.read(dir.resolve("config.json"));
        } finally {
            Files.deleteIfExists(dir.resolve("config.json"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void describesASystemContainer() {
        Spec spec = new Spec(SpecTemplate.systemContainer(Optional.empty()));
        ObjectNode json = spec.json();
        assertEquals("1.0.2-dev", json.get("ociVersion").asText());
        assertEquals("syscont", json.get("hostname").asText());
        assertEquals(Optional.of("rootfs"), spec.rootPath());
        assertFalse(spec.rootReadonly());
        assertTrue(json.get("root").has("readonly"));
        JsonNode process = spec.process();
        assertTrue(process.get("terminal").asBoolean());
        assertEquals(0, process.get("user").get("uid").asInt());
        assertEquals(0, process.get("user").get("gid").asInt());
        assertEquals(List.of("sh"), spec.args());
        assertEquals(Optional.of("xterm"), spec.envValue("TERM"));
        assertTrue(spec.envValue("PATH").orElseThrow().contains("/usr/bin"));
        assertEquals("/", process.get("cwd").asText());
        assertFalse(process.get("noNewPrivileges").asBoolean(true));
        assertNull(process.get("capabilities"));
        assertEquals(List.of("pid", "network", "ipc", "uts", "mount", "cgroup"),
                spec.namespaces().stream().map(Namespace::type).toList());
        assertTrue(spec.namespaces().stream().noneMatch(Namespace::joinsExisting));
        assertTrue(spec.uidMappings().isEmpty() && spec.gidMappings().isEmpty());
        assertNull(spec.linux().get("uidMappings"));
    }

    @Test
    void mountsWhatRuncMountsWithoutReadOnlyKernelFilesystemsOrTheTtyGroup() throws Exception {
        List<Mount> ours = new Spec(SpecTemplate.systemContainer(Optional.empty())).mountList();
        List<Mount> runc = runcSpec().mountList();
        assertEquals(runc.stream().map(Mount::destination).toList(), ours.stream().map(Mount::destination).toList());
        for (int i = 0; i < runc.size(); i++) {
            Mount theirs = runc.get(i);
            Mount mine = ours.get(i);
            assertEquals(theirs.type(), mine.type(), theirs.destination());
            assertEquals(theirs.source(), mine.source(), theirs.destination());
            List<String> expected = new ArrayList<>(theirs.options());
            expected.remove("ro");
            expected.remove("gid=5");
            // runc leaves /proc without flags; we use Docker's, nothing in /proc is a device or program.
            if (theirs.destination().equals("/proc")) expected = List.of("nosuid", "noexec", "nodev");
            assertEquals(expected, mine.options(), theirs.destination());
        }
    }

    @Test
    void masksWhatRuncMasksExceptWhatASystemContainerNeeds() throws Exception {
        Spec runc = runcSpec();
        Spec ours = new Spec(SpecTemplate.systemContainer(Optional.empty()));
        for (String field : List.of("maskedPaths", "readonlyPaths")) {
            List<String> expected = new ArrayList<>(strings(runc.linux().get(field)));
            expected.removeAll(PathMasks.SYSTEM_CONTAINER_NEEDS);
            assertEquals(expected, strings(ours.linux().get(field)), field);
        }
        assertEquals(runc.linux().get("resources"), ours.linux().get("resources"));
    }

    @Test
    void passesValidationAndConvertsToItself() throws Exception {
        Spec spec = new Spec(SpecTemplate.systemContainer(Optional.empty()));
        SpecValidator.validate(spec, HostNamespaces.ofThisProcess());
        SpecConverter.convert(spec, TestSpecs.inputs(RuntimeCapabilities.ofThisProcess()));
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
                "/dev/kmsg"), spec.mountList().stream().map(Mount::destination).toList());
        assertEquals(RuntimeCapabilities.ofThisProcess().names(),
                strings(spec.process().get("capabilities").get("ambient")));
    }

    @Test
    void idMapAddsExplicitMappings() throws Exception {
        IdMapOption map = SpecTemplate.parseIdMap("  231072 231072   65536 ");
        assertEquals(new IdMapping(0, 231072, 65536), map.uid());
        assertEquals(new IdMapping(0, 231072, 65536), map.gid());
        Spec spec = new Spec(SpecTemplate.systemContainer(Optional.of(map)));
        assertEquals(List.of(map.uid()), spec.uidMappings());
        assertEquals(List.of(map.gid()), spec.gidMappings());
        SpecValidator.validate(spec, HostNamespaces.ofThisProcess());
    }

    @Test
    void refusesABadIdMapWithTheExpectedForm() {
        for (String bad : List.of("", "100000 65536", "100000 100000 65536 1", "a b c", "100000 100000 -1")) {
            String message = assertThrows(InvalidSpecException.class, () -> SpecTemplate.parseIdMap(bad)).getMessage();
            assertTrue(message.contains("--id-map"), message);
        }
        assertTrue(assertThrows(InvalidSpecException.class, () -> SpecTemplate.parseIdMap("100000 100000 x"))
                .getMessage().contains("\"x\" is not a number"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> SpecTemplate.parseIdMap("100000 100000 1000"))
                .getMessage().contains("at least 65536"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> SpecTemplate.parseIdMap("0 0 65536"))
                .getMessage().contains("host id 0"));
        assertTrue(assertThrows(InvalidSpecException.class, () -> SpecTemplate.parseIdMap("100000 200000 65536"))
                .getMessage().contains("same host id"));
    }
}
