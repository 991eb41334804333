package io.sysbox.setup.testhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A test hook: the manager-side code of create and delete can be held at a named step, so a
 * test can kill sysbox-runc (or the manager) exactly there and check that a following
 * {@code delete --force} or a restart cleans up. It is asked for by the caller's environment,
 * {@value #VARIABLE}{@code =STEP:MARKER} (MARKER an absolute path): on reaching STEP the code
 * creates MARKER and waits until the test removes it (at most {@link #LONGEST}). Without the
 * variable it is {@link None}, whose {@link #at} does nothing: one map lookup per call, no file
 * access. Only root reaches the manager's channel, so it gives no one a power they lack.
 */
public sealed interface StepPause {
    String VARIABLE = "SYSBOX_RUNC_TEST_PAUSE";
    /** A pause the test forgets cannot hold a call for ever. */
    Duration LONGEST = Duration.ofMinutes(5);

    /** Holds the call here when STEP is the step asked for. */
    void at(String step);

    /** The pause ENV asks for, or none; a malformed value is refused at once (it is a test's mistake). */
    static StepPause from(Map<String, String> env) {
        String value = env.get(VARIABLE);
        if (value == null || value.isEmpty()) return None.INSTANCE;
        int colon = value.indexOf(':');
        if (colon <= 0 || !value.startsWith("/", colon + 1)) {
            throw new IllegalArgumentException(VARIABLE + " must be STEP:/absolute/marker, was \"" + value + "\"");
        }
        return new AtStep(value.substring(0, colon), Path.of(value.substring(colon + 1)));
    }

    /** No pause asked for: the normal case. */
    enum None implements StepPause {
        INSTANCE;

        @Override
        public void at(String step) {}
    }

    /** Holds the call at STEP while MARKER exists. */
    record AtStep(String step, Path marker) implements StepPause {
        private static final Duration POLL = Duration.ofMillis(20);

        @Override
        public void at(String reached) {
            if (!step.equals(reached)) return;
            try {
                Files.writeString(marker, reached + " " + ProcessHandle.current().pid() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("test pause at " + step + ": cannot create " + marker, e);
            }
            long deadline = System.nanoTime() + LONGEST.toNanos();
            while (Files.exists(marker) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(POLL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
