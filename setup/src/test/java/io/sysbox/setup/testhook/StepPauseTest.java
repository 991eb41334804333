package io.sysbox.setup.testhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepPauseTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheVariableNothingPauses() {
        assertEquals(StepPause.None.INSTANCE, StepPause.from(Map.of("PATH", "/bin")));
        assertEquals(StepPause.None.INSTANCE, StepPause.from(Map.of(StepPause.VARIABLE, "")));
        StepPause.None.INSTANCE.at("prepared");
    }

    @Test
    void aMalformedValueIsRefusedNamingTheVariable() {
        for (String bad : new String[] {"prepared", ":/tmp/x", "prepared:relative"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StepPause.from(Map.of(StepPause.VARIABLE, bad)), bad);
            assertTrue(e.getMessage().contains(StepPause.VARIABLE), e.getMessage());
        }
    }

    @Test
    void theNamedStepWaitsWhileItsMarkerExistsAndOtherStepsPass() throws Exception {
        Path marker = tmp.resolve("paused");
        StepPause pause = StepPause.from(Map.of(StepPause.VARIABLE, "emulated:" + marker));
        StepPause.AtStep at = assertInstanceOf(StepPause.AtStep.class, pause);
        assertEquals("emulated", at.step());
        pause.at("prepared");
        assertFalse(Files.exists(marker), "another step neither waits nor marks");

        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> pause.at("emulated"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(marker)) {
            assertTrue(System.nanoTime() < deadline, "the marker never appeared");
            Thread.sleep(10);
        }
        assertTrue(Files.readString(marker).startsWith("emulated " + ProcessHandle.current().pid()), "step and pid");
        Thread.sleep(200);
        assertFalse(held.isDone(), "held while the marker exists");
        Files.delete(marker);
        held.get(10, TimeUnit.SECONDS);
    }
}
