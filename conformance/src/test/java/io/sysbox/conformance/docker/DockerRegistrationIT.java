package io.sysbox.conformance.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Dist;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.TreeRemoval;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 3, first build item, end to end: `sysbox-install docker` registers the runtime in the
 * daemon.json of a running dockerd, which picks it up on the SIGHUP the command sends (no
 * restart), and `--default` / `--uninstall` take effect the same way. The dockerd is private:
 * its own data-root, exec-root, socket, pidfile, config file and trust key, no bridge, no
 * iptables; it is stopped by its pid and its mounts detached whatever happens.
 */
class DockerRegistrationIT {
    private static final Path DOCKERD = PrivateDockerd.DOCKERD;
    private static final Path DOCKER = PrivateDockerd.DOCKER;
    /** dockerd 20.10 always makes this for plugin sockets, whatever its exec-root. */
    private static final Path PLUGIN_SOCKETS = Path.of("/run/docker/plugins");
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void installRegistersTheRuntimeInARunningDockerdAndUninstallTakesItOut() throws Exception {
        Prerequisites.requireExecutable(DOCKERD, "docker.io");
        Prerequisites.requireExecutable(DOCKER, "docker.io");
        Dist dist = Dist.fromSystemProperty();
        boolean pluginSocketsExisted = Files.exists(PLUGIN_SOCKETS.getParent());
        Path work = Files.createTempDirectory("sysbox-docker-registration-");
        PrivateDockerd dockerd = null;
        try {
            CommandRunner runner = new CommandRunner(Files.createDirectories(work.resolve("scratch")), Duration.ofSeconds(60));
            Path config = work.resolve("daemon.json");
            // Keys of the operator's that must survive every edit (the trust key also keeps dockerd out of /etc/docker).
            ObjectNode original = JSON.createObjectNode()
                    .put("deprecated-key-path", work.resolve("key.json").toString())
                    .put("log-level", "info")
                    .put("max-concurrent-downloads", 2);
            Files.writeString(config, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(original));
            dockerd = PrivateDockerd.start(work, config, runner, Map.of());
            Info before = info(dockerd);
            assertTrue(!before.runtimes().has("sysbox-runc") && before.defaultRuntime().equals("runc"),
                    "a fresh dockerd has no sysbox-runc: " + before);

            Path runtime = dist.sysboxRunc();
            Path installer = dist.sysboxInstall();
            List<String> install = List.of(installer.toString(), "docker", "--docker-config", config.toString(),
                    "--docker-pidfile", dockerd.pidFile().toString(), "--runtime-path", runtime.toString());
            CommandResult registered = runner.run(install).requireSuccess();
            assertTrue(registered.stdout().contains(config + ": added runtime \"sysbox-runc\" (path " + runtime + ")"),
                    registered.describe());
            assertTrue(registered.stdout().contains("dockerd (pid " + dockerd.pid() + ") sent SIGHUP"), registered.describe());
            Info afterInstall = awaitInfo(dockerd, i -> i.runtimes().has("sysbox-runc"), "sysbox-runc among the runtimes");
            assertEquals(runtime.toString(), afterInstall.runtimes().path("sysbox-runc").path("path").asText(), afterInstall.toString());
            assertEquals("runc", afterInstall.defaultRuntime(), "the default runtime changes only with --default");
            assertKeeps(original, config);

            List<String> installDefault = new ArrayList<>(install);
            installDefault.add("--default");
            CommandResult madeDefault = runner.run(installDefault).requireSuccess();
            assertTrue(madeDefault.stdout().contains("set default-runtime to \"sysbox-runc\""), madeDefault.describe());
            awaitInfo(dockerd, i -> i.defaultRuntime().equals("sysbox-runc"), "sysbox-runc as the default runtime");

            CommandResult again = runner.run(installDefault).requireSuccess();
            assertEquals(config + ": unchanged (runtime sysbox-runc already registered with path " + runtime
                    + ", and the default runtime)", again.stdout().strip(), again.describe());

            CommandResult uninstalled = runner.run(List.of(installer.toString(), "docker", "--uninstall",
                    "--docker-config", config.toString(), "--docker-pidfile", dockerd.pidFile().toString())).requireSuccess();
            assertTrue(uninstalled.stdout().contains("removed runtime \"sysbox-runc\""), uninstalled.describe());
            // dockerd 20.10 keeps a default whose key vanished and then crashes on a default it no longer has.
            Info afterUninstall = awaitInfo(dockerd, i -> !i.runtimes().has("sysbox-runc") && i.defaultRuntime().equals("runc"),
                    "sysbox-runc gone and runc the default again");
            assertTrue(afterUninstall.runtimes().has("runc"), afterUninstall.toString());
            assertTrue(dockerd.process().isAlive(), "dockerd survived the reloads:\n" + dockerd.logTail());
            assertKeeps(original, config);
        } finally {
            try {
                if (dockerd != null) dockerd.stop();
            } finally {
                keepLog(work.resolve("dockerd.log"), work);
                TreeRemoval.remove(work);
                if (!pluginSocketsExisted) removeIfEmpty(PLUGIN_SOCKETS, PLUGIN_SOCKETS.getParent());
            }
        }
    }

    private static void assertKeeps(ObjectNode original, Path config) throws IOException {
        JsonNode now = JSON.readTree(config.toFile());
        List<String> keys = new ArrayList<>();
        now.fieldNames().forEachRemaining(keys::add);
        List<String> originalKeys = new ArrayList<>();
        original.fieldNames().forEachRemaining(originalKeys::add);
        assertEquals(originalKeys, keys.subList(0, originalKeys.size()), "the operator's keys stay first, in order: " + now);
        original.properties().forEach(e -> assertEquals(e.getValue(), now.get(e.getKey()), e.getKey() + " in " + now));
    }

    /** Removes what only our dockerd created under /run, if no other dockerd put anything there meanwhile. */
    private static void removeIfEmpty(Path... dirs) {
        for (Path dir : dirs) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void keepLog(Path log, Path work) {
        String target = System.getProperty("sysbox.conformance.logs");
        if (target == null || !Files.exists(log)) return;
        try {
            Path dir = Files.createDirectories(Path.of(target).resolve(work.getFileName().toString()));
            Files.copy(log, dir.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("could not keep " + log + ": " + e.getMessage());
        }
    }

    /** What `docker info` says about runtimes. */
    private record Info(JsonNode runtimes, String defaultRuntime) {}

    private static Info info(PrivateDockerd dockerd) throws IOException {
        CommandResult result = dockerd.docker("info", "--format",
                "{\"runtimes\": {{json .Runtimes}}, \"default\": {{json .DefaultRuntime}}}");
        if (!result.succeeded()) fail("docker info failed:\n" + result.describe() + "\n" + dockerd.logTail());
        JsonNode node = JSON.readTree(result.stdout());
        return new Info(node.get("runtimes"), node.get("default").asText());
    }

    /** The reload is asynchronous to the SIGHUP: polls `docker info` until WANTED holds. */
    private static Info awaitInfo(PrivateDockerd dockerd, Predicate<Info> wanted, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        Info last = info(dockerd);
        while (!wanted.test(last)) {
            if (System.nanoTime() > deadline || !dockerd.process().isAlive()) {
                fail("dockerd did not show " + what + " within " + RELOAD_TIMEOUT + " (alive: " + dockerd.process().isAlive()
                        + "); last docker info: " + last + "\n" + dockerd.logTail());
            }
            Thread.sleep(200);
            last = info(dockerd);
        }
        return last;
    }
}
