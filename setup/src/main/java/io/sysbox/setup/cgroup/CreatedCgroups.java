package io.sysbox.setup.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup directories create made for a container ahead of the engine, remembered in the
 * container's private directory. The engine removes a container's cgroup at its own delete, but
 * only of a container it knows: when it failed before making its state (or never ran), those
 * directories are sysbox-runc's to remove, at delete or at the next create of that id.
 */
public final class CreatedCgroups {
    static final String FILE = "cgroups.created";

    private CreatedCgroups() {}

    /** Records {@code created} (deepest last, as {@link CgroupDelegation#delegate} returns them). */
    public static void remember(Path containerDir, List<Path> created) throws IOException {
        if (created.isEmpty()) return;
        Files.write(containerDir.resolve(FILE), created.stream().map(Path::toString).toList());
    }

    /**
     * Removes the remembered directories that are still there and empty (rmdir only: a cgroup
     * with processes or children stays). Nothing remembered, nothing done.
     */
    public static void removeRemembered(Path containerDir) throws IOException {
        Path file = containerDir.resolve(FILE);
        if (!Files.exists(file)) return;
        CgroupDelegation.removeCreated(Files.readAllLines(file).stream().map(Path::of).toList());
    }
}
