package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** `create` of a bundle that should be refused, and the check that the refusal left nothing. */
record CreateRefusals(SuiteEnvironment env, Containers containers) {
    CommandResult create(BusyboxBundle bundle, String id) throws IOException {
        return containers.runc().run("create", "--bundle", bundle.dir().toString(), "--pid-file",
                pidFile(id).toString(), id);
    }

    Path pidFile(String id) throws IOException {
        return env.directory("pids").resolve(id + ".pid");
    }

    void assertNothingLeft(String id) throws IOException {
        assertFalse(Files.exists(pidFile(id)), "a refused create wrote a pid file");
        assertNotEquals(0, containers.runc().run("state", id).exitCode(), "a refused container has state");
        // A refusal by the engine (after Prepare) is released when its process exits: awaited, not polled once.
        assertEquals(List.of(), env.awaitNoLeaks(), "a refused create left something behind");
    }
}
