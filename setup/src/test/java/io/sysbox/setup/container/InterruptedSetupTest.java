package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import io.sysbox.setup.testhook.StepPause;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A create whose sysbox-runc is killed while the manager-side setup works (held at a step by
 * the test hook): the setup notices at the end and undoes what it made, since its caller's watch
 * may have settled the Prepare before the later steps ran; the engine's spec is never partial.
 */
class InterruptedSetupTest {
    private static final IdMapping RANGE = new IdMapping(0, 4_000_000, 65536);

    @TempDir
    Path tmp;
    private Process caller;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private final ContainerResources resources = new ContainerResources() {
        @Override
        public Prepared prepare(Preparation request) {
            calls.add("prepare " + request.id());
            return new Prepared(RANGE, RANGE, request.rootfs().toString(), Map.of(), Map.of(), true, true);
        }

        @Override
        public void release(String id) {
            calls.add("release " + id);
        }

        @Override
        public boolean managed() {
            return true;
        }
    };

    @AfterEach
    void stopCaller() throws InterruptedException {
        if (caller != null) {
            caller.destroyForcibly();
            caller.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path bundle() throws IOException {
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        ObjectNode spec = Spec.JSON.createObjectNode();
        spec.put("ociVersion", "1.0.2-dev");
        spec.putObject("process").put("cwd", "/").putArray("args").add("/bin/sh");
        spec.putObject("root").put("path", "rootfs");
        ArrayNode namespaces = spec.putObject("linux").putArray("namespaces");
        for (String type : List.of("pid", "network", "ipc", "uts", "mount")) namespaces.addObject().put("type", type);
        Files.writeString(bundle.resolve("config.json"), Spec.JSON.writeValueAsString(spec));
        return bundle;
    }

    /** Runs the setup for a caller process of the test's (the process that would become the engine), held at STEP. */
    private CompletableFuture<Path> setUpHeldAt(String step, Path marker, Path privateDir) throws IOException {
        caller = new ProcessBuilder("sleep", "120").start();
        Path engineRoot = Files.createDirectories(tmp.resolve("root/runc"));
        ContainerSetup setup = new ContainerSetup(resources, Libexec.at(tmp.resolve("libexec")), message -> {},
                StepPause.from(Map.of(StepPause.VARIABLE, step + ":" + marker)));
        ContainerSetup.Target target = new ContainerSetup.Target("held", bundle(), engineRoot, privateDir, caller.pid(),
                true, false);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return setup.prepare(target);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() < deadline, file + " never appeared");
            Thread.sleep(10);
        }
    }

    @Test
    void aCallerKilledAtAnyStepLeavesNothingTheSetupMade() throws Exception {
        for (String step : ContainerSetup.STEPS) {
            calls.clear();
            Path marker = tmp.resolve("paused-" + step);
            Path privateDir = tmp.resolve("root/sysbox/held-" + step);
            CompletableFuture<Path> setup = setUpHeldAt(step, marker, privateDir);
            awaitFile(marker);
            caller.destroyForcibly();
            assertTrue(caller.waitFor(10, TimeUnit.SECONDS));
            Files.delete(marker);

            ExecutionException e = assertThrows(ExecutionException.class, () -> setup.get(30, TimeUnit.SECONDS), step);
            // Either the end's check saw the caller gone, or a later step could not read its /proc entry.
            String message = String.valueOf(e.getCause().getMessage());
            assertTrue(message.contains("exited while container held was being created")
                    || message.contains("process " + caller.pid() + " from /proc")
                    || message.contains("/proc/" + caller.pid() + "/"), step + ": " + e.getCause());
            assertTrue(calls.contains("release held"), step + ": the Prepare is released: " + calls);
            assertFalse(Files.exists(privateDir), step + ": the private directory is removed");
        }
    }

    @Test
    void theEnginesSpecIsWrittenWholeBesideItAndRenamed() throws Exception {
        Path marker = tmp.resolve("paused");
        Path privateDir = tmp.resolve("root/sysbox/held");
        CompletableFuture<Path> setup = setUpHeldAt("converted", marker, privateDir);
        awaitFile(marker);
        try (Stream<Path> files = Files.list(privateDir)) {
            assertEquals(List.of("config.json", "sysbox.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no partial file is left beside it");
        }
        assertTrue(Spec.JSON.readTree(privateDir.resolve("config.json").toFile()).path("linux").has("uidMappings"),
                "the converted spec");
        Files.delete(marker);
        assertEquals(privateDir, setup.get(30, TimeUnit.SECONDS), "a caller that lives gets its bundle");
        assertEquals(List.of("prepare held"), calls, "nothing released");
    }
}
