package io.sysbox.setup.state;

import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What sysbox-runc reads of the engine's own state (runc's ROOT/ID/state.json, crun's alike): the
 * container's init pid, which exec needs to enter a pod container's network namespace and the
 * setup needs to find which container owns a joined one. The one place that knows the file's
 * name and field.
 */
public final class EngineState {
    private EngineState() {}

    /**
     * The init pid the engine recorded for ID under ENGINE_ROOT; empty when it has no state for it
     * (never created, deleted, or still being created) or no init process yet.
     */
    public static OptionalLong initPid(Path engineRoot, String id) throws IOException {
        try {
            long pid = Spec.JSON.readTree(engineRoot.resolve(id).resolve("state.json").toFile())
                    .path("init_process_pid").asLong(0);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return OptionalLong.empty();
        }
    }
}
