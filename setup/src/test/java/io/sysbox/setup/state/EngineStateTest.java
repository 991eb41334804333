package io.sysbox.setup.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineStateTest {
    @Test
    void theInitPidComesFromTheEnginesStateFile(@TempDir Path root) throws IOException {
        Files.writeString(Files.createDirectories(root.resolve("c1")).resolve("state.json"),
                "{\"id\":\"c1\",\"init_process_pid\":4242,\"status\":\"running\"}");
        assertEquals(OptionalLong.of(4242), EngineState.initPid(root, "c1"));
    }

    @Test
    void noStateOrNoInitProcessIsEmpty(@TempDir Path root) throws IOException {
        assertEquals(OptionalLong.empty(), EngineState.initPid(root, "absent"));
        Files.writeString(Files.createDirectories(root.resolve("c2")).resolve("state.json"), "{\"id\":\"c2\"}");
        assertEquals(OptionalLong.empty(), EngineState.initPid(root, "c2"));
    }
}
