package io.sysbox.mgr.emulation;

import io.sysbox.setup.resources.EmulatedTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Who emulates containers' /proc and /sys files: sysbox-fs, or nobody (tests, a manager alone). */
public sealed interface Emulation extends AutoCloseable permits Emulation.None, SysFsEmulation {
    /**
     * Registers a container; answers what is served for it and where, empty when nobody
     * emulates. {@code shareStateWith}: the container whose network namespace it joins (its pod),
     * whose emulation state it shares.
     */
    Optional<EmulatedTree> register(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                            Optional<String> shareStateWith) throws IOException;

    /** Forgets a container (nothing happens for an unknown one). */
    void unregister(String id);

    @Override
    void close();

    record None() implements Emulation {
        @Override
        public Optional<EmulatedTree> register(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                       Optional<String> shareStateWith) {
            return Optional.empty();
        }

        @Override
        public void unregister(String id) {
        }

        @Override
        public void close() {
        }
    }
}
