package io.sysbox.fs.emulation.registry;

import io.sysbox.common.proto.SavedContainer;
import io.sysbox.common.proto.SavedState;

import java.io.IOException;
import java.util.List;

/**
 * Where the registry writes down what a restarted sysbox-fs needs to serve the same containers
 * on the same FUSE connection: each registration (its cgroups, owner ids and the nonce its node
 * ids come from) and each emulation state (uptime base, sysctl values). The daemon keeps them
 * under its run dir ({@link RunDirJournal}); mounts of tests and benchmarks keep nothing.
 */
public sealed interface RegistryJournal permits RegistryJournal.None, RunDirJournal {
    void saveContainer(SavedContainer container) throws IOException;

    void deleteContainer(String id) throws IOException;

    void saveState(SavedState state) throws IOException;

    void deleteState(long nonce) throws IOException;

    List<SavedContainer> containers() throws IOException;

    List<SavedState> states() throws IOException;

    /** Nothing is written down: a restart starts from nothing. */
    record None() implements RegistryJournal {
        @Override
        public void saveContainer(SavedContainer container) {}

        @Override
        public void deleteContainer(String id) {}

        @Override
        public void saveState(SavedState state) {}

        @Override
        public void deleteState(long nonce) {}

        @Override
        public List<SavedContainer> containers() {
            return List.of();
        }

        @Override
        public List<SavedState> states() {
            return List.of();
        }
    }
}
