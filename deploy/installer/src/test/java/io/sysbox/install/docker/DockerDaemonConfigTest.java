package io.sysbox.install.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerDaemonConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RUNTIME = Path.of("/usr/local/sbin/sysbox-runc");

    @TempDir
    Path dir;

    private static JsonNode json(Path file) throws IOException {
        return JSON.readTree(Files.readAllBytes(file));
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static int mode(Path file) throws IOException {
        return ((Integer) Files.getAttribute(file, "unix:mode")) & 07777;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void keepsEveryOtherKeyInItsPlaceAndTheOtherRuntimes() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, """
                {
                    "log-driver": "json-file",
                    "runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}},
                    "storage-driver": "overlay2",
                    "max-concurrent-downloads": 3,
                    "ratio": 1.10,
                    "insecure-registries": ["a:5000", "b:5000"],
                    "default-runtime": "runc"
                }
                """);
        ConfigChange change = new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false);

        assertTrue(change.changed());
        assertEquals(List.of("added runtime \"sysbox-runc\" (path /usr/local/sbin/sysbox-runc)"), change.changes());
        JsonNode after = json(file);
        assertEquals(List.of("log-driver", "runtimes", "storage-driver", "max-concurrent-downloads", "ratio",
                "insecure-registries", "default-runtime"), keys(after));
        assertEquals(List.of("crun", "sysbox-runc"), keys(after.get("runtimes")));
        assertEquals("/usr/bin/crun", after.get("runtimes").get("crun").get("path").asText());
        assertEquals("--debug", after.get("runtimes").get("crun").get("runtimeArgs").get(0).asText());
        assertEquals("/usr/local/sbin/sysbox-runc", after.get("runtimes").get("sysbox-runc").get("path").asText());
        assertEquals("json-file", after.get("log-driver").asText());
        assertEquals(3, after.get("max-concurrent-downloads").asInt());
        assertTrue(Files.readString(file).contains("1.10"), "a number is written back as it was: " + Files.readString(file));
        assertEquals(List.of("a:5000", "b:5000"),
                List.of(after.get("insecure-registries").get(0).asText(), after.get("insecure-registries").get(1).asText()));
        assertEquals("runc", after.get("default-runtime").asText(), "default-runtime is not touched unless asked");
        assertEquals(List.of(), leftovers());
    }

    @Test
    void createsAMissingFileWithItsParentsAndMode0644() throws IOException {
        Path file = dir.resolve("etc/docker/daemon.json");
        ConfigChange change = new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false);

        assertEquals(List.of("created " + file, "added runtime \"sysbox-runc\" (path /usr/local/sbin/sysbox-runc)"),
                change.changes());
        assertEquals(0644, mode(file));
        JsonNode after = json(file);
        assertEquals(List.of("runtimes"), keys(after));
        assertEquals("/usr/local/sbin/sysbox-runc", after.get("runtimes").get("sysbox-runc").get("path").asText());
        assertTrue(Files.readString(file).endsWith("}\n"));
    }

    @Test
    void aSecondRunReportsUnchangedAndDoesNotRewriteTheFile() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "{\"debug\": true}");
        DockerDaemonConfig config = new DockerDaemonConfig(file);
        assertTrue(config.register("sysbox-runc", RUNTIME, true).changed());
        byte[] bytes = Files.readAllBytes(file);
        Object inode = Files.getAttribute(file, "unix:ino");

        ConfigChange again = config.register("sysbox-runc", RUNTIME, true);

        assertFalse(again.changed());
        assertEquals(List.of(), again.changes());
        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertEquals(inode, Files.getAttribute(file, "unix:ino"), "an unchanged file is not replaced");
        // Asking without --default later does not take the default away.
        assertFalse(config.register("sysbox-runc", RUNTIME, false).changed());
        assertEquals("sysbox-runc", json(file).get("default-runtime").asText());
    }

    @Test
    void setsTheDefaultRuntimeOnlyWhenAsked() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "{\"default-runtime\": \"runc\", \"debug\": false}");
        DockerDaemonConfig config = new DockerDaemonConfig(file);

        config.register("sysbox-runc", RUNTIME, false);
        assertEquals("runc", json(file).get("default-runtime").asText());

        ConfigChange change = config.register("sysbox-runc", RUNTIME, true);
        assertEquals(List.of("set default-runtime to \"sysbox-runc\" (was \"runc\")"), change.changes());
        JsonNode after = json(file);
        assertEquals("sysbox-runc", after.get("default-runtime").asText());
        assertEquals(List.of("default-runtime", "debug", "runtimes"), keys(after), "the key keeps its place");

        Path fresh = dir.resolve("fresh.json");
        new DockerDaemonConfig(fresh).register("sysbox-runc", RUNTIME, false);
        assertNull(json(fresh).get("default-runtime"));
    }

    @Test
    void updatesThePathOfAnExistingEntryKeepingItsArguments() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, """
                {"runtimes": {"sysbox-runc": {"path": "/opt/old/sysbox-runc", "runtimeArgs": ["--debug"]}}}""");
        ConfigChange change = new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false);

        assertEquals(List.of("changed runtime \"sysbox-runc\" path from /opt/old/sysbox-runc to /usr/local/sbin/sysbox-runc"),
                change.changes());
        JsonNode entry = json(file).get("runtimes").get("sysbox-runc");
        assertEquals(List.of("path", "runtimeArgs"), keys(entry));
        assertEquals("/usr/local/sbin/sysbox-runc", entry.get("path").asText());
        assertEquals("--debug", entry.get("runtimeArgs").get(0).asText());
    }

    @Test
    void aShimTypeThatWouldConflictWithThePathIsRemovedAndSaidSo() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, """
                {"runtimes": {"sysbox-runc": {"runtimeType": "io.containerd.runc.v2", "options": {"BinaryName": "x"}}}}""");
        ConfigChange change = new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false);

        assertEquals(List.of("set runtime \"sysbox-runc\" path to /usr/local/sbin/sysbox-runc",
                "removed \"runtimeType\" from runtime \"sysbox-runc\" (dockerd takes a path or a runtimeType, not both)",
                "removed \"options\" from runtime \"sysbox-runc\" (dockerd takes a path or a runtimeType, not both)"),
                change.changes());
        assertEquals(JSON.readTree("{\"path\": \"/usr/local/sbin/sysbox-runc\"}"), json(file).get("runtimes").get("sysbox-runc"));
    }

    @Test
    void uninstallRemovesTheRuntimeAndPointsADefaultNamingItBackAtRunc() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "{\"log-level\": \"warn\", \"runtimes\": {\"crun\": {\"path\": \"/usr/bin/crun\"}}}");
        DockerDaemonConfig config = new DockerDaemonConfig(file);
        config.register("sysbox-runc", RUNTIME, true);

        ConfigChange change = config.unregister("sysbox-runc");

        assertEquals(List.of("removed runtime \"sysbox-runc\"",
                "set default-runtime back to \"runc\" (was \"sysbox-runc\")"), change.changes());
        assertEquals(JSON.readTree("""
                {"log-level": "warn", "runtimes": {"crun": {"path": "/usr/bin/crun"}}, "default-runtime": "runc"}"""),
                json(file));
        assertFalse(config.unregister("sysbox-runc").changed(), "a second uninstall changes nothing");
    }

    @Test
    void uninstallKeepsAnEmptiedRuntimesKeySoThatDockerdReloadsIt() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "{\"debug\": true}");
        DockerDaemonConfig config = new DockerDaemonConfig(file);
        config.register("sysbox-runc", RUNTIME, false);

        assertEquals(List.of("removed runtime \"sysbox-runc\""), config.unregister("sysbox-runc").changes());
        assertEquals(JSON.readTree("{\"debug\": true, \"runtimes\": {}}"), json(file));
    }

    @Test
    void uninstallKeepsADefaultRuntimeThatIsNotSysbox() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, """
                {"default-runtime": "crun", "runtimes": {"crun": {"path": "/usr/bin/crun"},
                 "sysbox-runc": {"path": "/usr/local/sbin/sysbox-runc"}}}""");
        ConfigChange change = new DockerDaemonConfig(file).unregister("sysbox-runc");
        assertEquals(List.of("removed runtime \"sysbox-runc\""), change.changes());
        assertEquals("crun", json(file).get("default-runtime").asText());
        assertEquals(List.of("crun"), keys(json(file).get("runtimes")));
    }

    @Test
    void uninstallLeavesAMissingFileMissing() throws IOException {
        Path file = dir.resolve("docker/daemon.json");
        assertFalse(new DockerDaemonConfig(file).unregister("sysbox-runc").changed());
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void malformedJsonIsRefusedNamingFileLineAndColumnAndNothingChanges() throws IOException {
        Path file = dir.resolve("daemon.json");
        byte[] original = "{\n  \"debug\": true,\n  \"log-level\" \"warn\"\n}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(file, original);
        Files.setAttribute(file, "unix:mode", 0600);

        InvalidDaemonConfigException e = assertThrows(InvalidDaemonConfigException.class,
                () -> new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, true));

        assertTrue(e.getMessage().startsWith(file + ": malformed JSON at line 3, column 15:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was changed"), e.getMessage());
        assertArrayEquals(original, Files.readAllBytes(file));
        assertEquals(0600, mode(file));
        assertEquals(List.of(), leftovers());
        assertThrows(InvalidDaemonConfigException.class, () -> new DockerDaemonConfig(file).unregister("sysbox-runc"));
        assertArrayEquals(original, Files.readAllBytes(file));
    }

    @Test
    void contentThatIsNotOneJsonObjectIsRefused() throws IOException {
        for (String content : List.of("[]", "{} {}", "{\"debug\": true, \"debug\": false}",
                "{\"runtimes\": \"sysbox-runc\"}", "{\"runtimes\": {\"sysbox-runc\": \"/usr/local/sbin/sysbox-runc\"}}")) {
            Path file = dir.resolve("daemon.json");
            Files.writeString(file, content);
            InvalidDaemonConfigException e = assertThrows(InvalidDaemonConfigException.class,
                    () -> new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false), content);
            assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().endsWith("nothing was changed"),
                    e.getMessage());
            assertEquals(content, Files.readString(file));
        }
    }

    @Test
    void anEmptyFileCountsAsAnEmptyObject() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "  \n");
        assertFalse(new DockerDaemonConfig(file).unregister("sysbox-runc").changed());
        assertEquals("  \n", Files.readString(file));

        ConfigChange change = new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, false);
        assertEquals(List.of("added runtime \"sysbox-runc\" (path /usr/local/sbin/sysbox-runc)"), change.changes());
        assertEquals(List.of("runtimes"), keys(json(file)));
    }

    @Test
    void keepsTheFilesModeAndOwner() throws IOException {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, "{}");
        Files.setAttribute(file, "unix:mode", 0640);
        Files.setAttribute(file, "unix:gid", 4322);
        Files.setAttribute(file, "unix:uid", 4321);

        new DockerDaemonConfig(file).register("sysbox-runc", RUNTIME, true);

        assertEquals(0640, mode(file));
        assertEquals(4321, Files.getAttribute(file, "unix:uid"));
        assertEquals(4322, Files.getAttribute(file, "unix:gid"));
        assertEquals("sysbox-runc", json(file).get("default-runtime").asText());
    }

    @Test
    void aSymlinkedFileIsEditedWhereItPointsAndStaysALink() throws IOException {
        Path real = dir.resolve("managed/daemon.json");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "{\"debug\": true}");
        Path link = dir.resolve("daemon.json");
        Files.createSymbolicLink(link, Path.of("managed/daemon.json"));

        new DockerDaemonConfig(link).register("sysbox-runc", RUNTIME, false);

        assertTrue(Files.isSymbolicLink(link));
        assertEquals(List.of("debug", "runtimes"), keys(json(real)));
    }

    @Test
    void aRelativeRuntimePathIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DockerDaemonConfig(dir.resolve("daemon.json")).register("sysbox-runc", Path.of("sbin/sysbox-runc"), false));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("daemon.json")));
    }
}
