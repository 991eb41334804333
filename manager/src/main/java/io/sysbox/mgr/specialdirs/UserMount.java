package io.sysbox.mgr.specialdirs;

import java.nio.file.Path;

/**
 * A mount the user asked for (bind or volume: {@code -v}, {@code --mount}), as the spec has it.
 * One on a special dir's destination replaces that special dir.
 *
 * @param source      the host path mounted (for a Docker volume, its {@code _data} directory)
 * @param destination where it appears inside the container
 */
public record UserMount(Path source, String destination) {
    public UserMount {
        if (source == null || destination == null || destination.isEmpty()) {
            throw new IllegalArgumentException("a user mount needs a source and a destination, got " + source + " on " + destination);
        }
    }
}
