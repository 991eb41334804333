package io.sysbox.conformance.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.Prerequisites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 12, acceptance 3: sysbox-runc killed with SIGKILL at each step of create and delete.
 * The manager-side code is held at the step by the test hook (SYSBOX_RUNC_TEST_PAUSE=STEP:MARKER,
 * docs/design.md "Interrupted calls"); then either the launcher alone is killed and the held call
 * goes on without it, or the manager too (the manager-side CLI dies with it) and is restarted.
 * Afterwards the container is settled by the manager itself, and a following `delete --force`
 * succeeds and leaves nothing (mounts, records, clones, private dir, cgroups, sysbox-fs
 * registration); the engine never ran on a partial spec, and the id can be created again.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class InterruptedOperationsIT extends ReliabilitySuite {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** ContainerSetup.STEPS and DeleteCommand.STEPS, in their order. */
    private static final List<String> CREATE_STEPS = List.of("prepared", "delegated", "emulated", "converted");
    private static final List<String> DELETE_STEPS = List.of("delete-begun", "delete-engine-done", "delete-released");

    /** Who dies at the step. */
    enum Killed { LAUNCHER, LAUNCHER_AND_MANAGER }

    @Override
    ReliabilityWorld startWorld() throws Exception {
        return ReliabilityWorld.bundlesOnly("interrupted");
    }

    @AfterEach
    void nothingLeft() {
        world.env().deleteContainers();
        world.assertNoLeaks("after the test");
    }

    static Stream<Arguments> createSteps() {
        return CREATE_STEPS.stream().flatMap(s -> Stream.of(Arguments.of(s, Killed.LAUNCHER), Arguments.of(s, Killed.LAUNCHER_AND_MANAGER)));
    }

    static Stream<Arguments> deleteSteps() {
        return DELETE_STEPS.stream().flatMap(s -> Stream.of(Arguments.of(s, Killed.LAUNCHER), Arguments.of(s, Killed.LAUNCHER_AND_MANAGER)));
    }

    /** sysbox-runc ARGS held at STEP (the marker appears), then killed as KILLED says and the hold let go. */
    private void interruptAt(String step, Killed killed, String... args) throws Exception {
        Path marker = world.env().directory("markers").resolve(step + "-" + System.nanoTime());
        Path out = world.env().work().resolve("held.out");
        ProcessBuilder builder = new ProcessBuilder(world.env().runc().command(args))
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("SYSBOX_RUNC_TEST_PAUSE", step + ":" + marker);
        Process launcher = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // The marker is created, then written: wait for its line, not only for the file.
            while (!Files.exists(marker) || Files.size(marker) == 0) {
                if (!launcher.isAlive()) fail(String.join(" ", args) + " ended before reaching " + step + ":\n" + Files.readString(out));
                if (System.nanoTime() > deadline) fail(String.join(" ", args) + " did not reach " + step + " within 60 s");
                Thread.sleep(20);
            }
            String[] held = Files.readString(marker).strip().split(" ");
            assertEquals(step, held[0]);
            assertEquals(Long.toString(world.env().manager().pid()), held[1], "the step is held in the manager, where the CLI runs");
        } finally {
            launcher.destroyForcibly();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "the launcher survived SIGKILL");
        }
        if (killed == Killed.LAUNCHER_AND_MANAGER) {
            world.env().manager().kill9();
            Files.deleteIfExists(marker);
            world.env().manager().restart();
        } else {
            Files.delete(marker);
        }
    }

    /** The engine has no state of ID, and a converted spec left in the private dir is whole. */
    private void engineNeverRanOnAPartialSpec(String id) throws IOException {
        CommandResult state = world.env().runner().run(List.of(Prerequisites.RUNC.toString(), "--root",
                world.env().engineRoot().toString(), "state", id));
        assertFalse(state.succeeded(), "the engine has " + id + " although its create never got to it: " + state.describe());
        Path spec = world.env().runc().root().resolve("sysbox").resolve(id).resolve("config.json");
        if (Files.exists(spec)) JSON.readTree(spec.toFile());
    }

    private void deleteForceLeavesNothing(String id, String when) {
        CommandResult delete = world.env().runc().run("delete", "--force", id);
        assertTrue(delete.succeeded(), when + ": " + delete.describe());
        world.assertNoLeaks(when + ", then delete --force");
    }

    /** The id is free again: a create of it runs and its container reads its emulated files. */
    private void idIsUsableAgain(String id, BusyboxBundle bundle) {
        CommandResult run = world.env().runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), run::describe);
        assertTrue(world.exec(new SystemContainer.Bundle(id), "cat /proc/uptime").matches("(\\d+\\.\\d\\d) \\1\n"));
        deleteForceLeavesNothing(id, "a clean create and delete after the interrupted one");
    }

    @ParameterizedTest(name = "create killed at {0}: {1}")
    @MethodSource("createSteps")
    void createKilledAtAStepIsCleanedUp(String step, Killed killed) throws Exception {
        String id = world.env().newContainerId("int-create");
        BusyboxBundle bundle = world.env().bundle(id);
        interruptAt(step, killed, "create", "--bundle", bundle.dir().toString(), id);
        List<String> selfSettled = world.leaks();
        engineNeverRanOnAPartialSpec(id);
        assertEquals(List.of(), selfSettled, "the manager settles a create whose caller died at " + step + " (" + killed + ")");
        deleteForceLeavesNothing(id, "create killed at " + step + " (" + killed + ")");
        idIsUsableAgain(id, bundle);
    }

    @ParameterizedTest(name = "delete killed at {0}: {1}")
    @MethodSource("deleteSteps")
    void deleteKilledAtAStepIsCompletedByTheNextDeleteForce(String step, Killed killed) throws Exception {
        SystemContainer c = world.startBundle("int-delete");
        long init = world.initPid(c);
        interruptAt(step, killed, "delete", "--force", c.id());
        deleteForceLeavesNothing(c.id(), "delete killed at " + step + " (" + killed + ")");
        assertTrue(ReliabilityWorld.awaitExited(init, java.time.Duration.ofSeconds(30)), "the container's init " + init + " is gone");
        List<String> dirs = new ArrayList<>();
        for (Path p : List.of(world.env().runc().root().resolve("sysbox").resolve(c.id()), world.env().engineRoot().resolve(c.id()))) {
            if (Files.exists(p)) dirs.add(p.toString());
        }
        assertEquals(List.of(), dirs);
    }
}
