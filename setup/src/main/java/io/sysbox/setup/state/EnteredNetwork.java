package io.sysbox.setup.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A container whose engine must be started inside a network namespace instead of joining it from
 * the spec (one its user namespace does not own: see io.sysbox.setup.container.NetworkOwnership): the namespace file
 * its create named, kept in the container's private directory, so create/run start the engine
 * there and exec starts its process in the container's network namespace too. A plain file, read
 * without JSON on the create and exec paths.
 */
public final class EnteredNetwork {
    static final String FILE = "network-namespace";

    private EnteredNetwork() {}

    public static void remember(Path containerDir, String netns) throws IOException {
        Files.writeString(containerDir.resolve(FILE), netns, StandardCharsets.UTF_8);
    }

    /** The namespace file create named, when the engine enters the network namespace itself. */
    public static Optional<String> of(Path containerDir) throws IOException {
        try {
            return Optional.of(Files.readString(containerDir.resolve(FILE), StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
