package io.sysbox.conformance;

import java.io.IOException;

/**
 * A suite's environment with sysbox-fs running beside its manager, as the /proc and /sys
 * suites need; closing it deletes the suite's containers first, then stops sysbox-fs, then
 * removes the environment.
 */
public record EmulationSuite(SuiteEnvironment env, SysboxFsProcess fs) implements AutoCloseable {
    public static EmulationSuite start(String name) throws IOException {
        SuiteEnvironment env = SuiteEnvironment.start(name);
        try {
            return new EmulationSuite(env, SysboxFsProcess.start(env));
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            env.deleteContainers();
        } finally {
            try {
                fs.close();
            } finally {
                env.close();
            }
        }
    }
}
