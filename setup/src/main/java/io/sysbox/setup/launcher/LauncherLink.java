package io.sysbox.setup.launcher;

import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.LauncherAnswer;

import java.io.IOException;

/** The connection to the launcher whose call the manager runs: sends a RUN answer, waits for the outcome. */
@FunctionalInterface
public interface LauncherLink {
    EngineOutcome run(LauncherAnswer run) throws IOException;
}
