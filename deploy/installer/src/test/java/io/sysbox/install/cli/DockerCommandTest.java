package io.sysbox.install.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sysbox-install docker` through the real command line, on files in a temp dir. */
class DockerCommandTest {
    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private Result sysboxInstall(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new SysboxInstall(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new SysboxInstall.Defaults(dir.resolve("dist"))).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void installsThenReportsUnchangedThenUninstalls() throws Exception {
        Path config = dir.resolve("etc/docker/daemon.json");
        Path pidFile = dir.resolve("docker.pid");
        Path runtime = dir.resolve("sbin/sysbox-runc");
        Files.createDirectories(runtime.getParent());
        Files.writeString(runtime, "#!/bin/sh\n");
        Files.setAttribute(runtime, "unix:mode", 0755);
        String[] install = {"docker", "--docker-config", config.toString(), "--docker-pidfile", pidFile.toString(),
                "--runtime-path", runtime.toString(), "--default"};

        Result first = sysboxInstall(install);
        assertEquals(0, first.status(), first.err());
        assertEquals(config + ": created " + config + "\n"
                + config + ": added runtime \"sysbox-runc\" (path " + runtime + ")\n"
                + config + ": set default-runtime to \"sysbox-runc\" (was unset, i.e. runc)\n"
                + "dockerd is not running (no pidfile " + pidFile + "): it reads the configuration when it starts\n",
                first.out());
        assertEquals("", first.err());
        JsonNode written = new ObjectMapper().readTree(config.toFile());
        assertEquals(runtime.toString(), written.get("runtimes").get("sysbox-runc").get("path").asText());
        assertEquals("sysbox-runc", written.get("default-runtime").asText());

        Result second = sysboxInstall(install);
        assertEquals(0, second.status(), second.err());
        assertEquals(config + ": unchanged (runtime sysbox-runc already registered with path " + runtime
                + ", and the default runtime)\n", second.out());

        Result uninstall = sysboxInstall("docker", "--docker-config", config.toString(),
                "--docker-pidfile", pidFile.toString(), "--uninstall");
        assertEquals(0, uninstall.status(), uninstall.err());
        assertTrue(uninstall.out().startsWith(config + ": removed runtime \"sysbox-runc\"\n"), uninstall.out());
        assertTrue(uninstall.out().contains(config + ": set default-runtime back to \"runc\" (was \"sysbox-runc\")\n"),
                uninstall.out());
        assertEquals(new ObjectMapper().readTree("{\"runtimes\": {}, \"default-runtime\": \"runc\"}"),
                new ObjectMapper().readTree(config.toFile()));
    }

    @Test
    void aMissingRuntimeIsWarnedAboutButRegistered() throws Exception {
        Path config = dir.resolve("daemon.json");
        Result result = sysboxInstall("docker", "--docker-config", config.toString(),
                "--docker-pidfile", dir.resolve("none.pid").toString(), "--runtime-path", "/nonexistent/sysbox-runc");
        assertEquals(0, result.status(), result.err());
        assertTrue(result.err().contains("warning: /nonexistent/sysbox-runc is not an executable file"), result.err());
        assertTrue(Files.readString(config).contains("/nonexistent/sysbox-runc"));
    }

    @Test
    void malformedConfigFailsWithTheReasonAndLeavesTheFile() throws Exception {
        Path config = dir.resolve("daemon.json");
        Files.writeString(config, "{\"debug\": tru}");
        Result result = sysboxInstall("docker", "--docker-config", config.toString(),
                "--docker-pidfile", dir.resolve("none.pid").toString());
        assertEquals(1, result.status());
        assertTrue(result.err().startsWith("sysbox-install: " + config + ": malformed JSON at line 1, column"), result.err());
        assertTrue(result.err().contains("nothing was changed"), result.err());
        assertEquals("{\"debug\": tru}", Files.readString(config));
    }

    @Test
    void contradictoryOrExtraArgumentsAreUsageErrors() {
        Path config = dir.resolve("daemon.json");
        Result both = sysboxInstall("docker", "--docker-config", config.toString(), "--uninstall", "--default");
        assertEquals(1, both.status());
        assertTrue(both.err().contains("--uninstall removes the runtime: it takes neither --runtime-path nor --default"),
                both.err());
        Result extra = sysboxInstall("docker", "--docker-config", config.toString(), "now");
        assertEquals(1, extra.status());
        assertTrue(extra.err().contains("\"docker\" takes no arguments, got \"now\""), extra.err());
        assertFalse(Files.exists(config));
    }

    @Test
    void helpDescribesTheFlagsAndTheOverviewListsTheCommand() {
        Result help = sysboxInstall("docker", "--help");
        assertEquals(0, help.status());
        for (String flag : List.of("--docker-config", "--docker-pidfile", "--runtime-path", "--default", "--uninstall")) {
            assertTrue(help.out().contains(flag), flag + " missing from:\n" + help.out());
        }
        assertTrue(sysboxInstall("--help").out().contains("   docker     register sysbox-runc as a Docker runtime"));
    }
}
