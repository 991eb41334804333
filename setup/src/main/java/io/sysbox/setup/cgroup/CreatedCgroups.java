package io.sysbox.setup.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The cgroup directories create made for a container ahead of the engine, remembered in the
 * container's private directory with the uid they were delegated to. The engine removes a
 * container's cgroup at its own delete, but only of a container it knows: when it failed before
 * making its state (or never ran), or ran in the foreground, those directories are sysbox-runc's
 * to remove, at delete, when the run ends or at the next create of that id.
 *
 * <p>That removal can come after the next container with the same cgroupsPath was created (a
 * foreground run's release follows the run's end, and the caller may start the next one at
 * once): the directory is then that container's, delegated to its root, and sysbox-fs reads it.
 * So a directory now owned by another non-root uid is left alone.
 */
public final class CreatedCgroups {
    static final String FILE = "cgroups.created";
    private static final String OWNER = "# owner ";

    private CreatedCgroups() {}

    /** Records {@code created} (deepest last, as {@link CgroupDelegation#delegate} returns them), delegated to OWNER_UID. */
    public static void remember(Path containerDir, List<Path> created, int ownerUid) throws IOException {
        if (created.isEmpty()) return;
        List<String> lines = new ArrayList<>();
        lines.add(OWNER + ownerUid);
        created.forEach(p -> lines.add(p.toString()));
        Files.write(containerDir.resolve(FILE), lines);
    }

    /**
     * Removes the remembered directories that are still there, empty and not delegated to
     * another container since (rmdir only: a cgroup with processes or children stays). Nothing
     * remembered, nothing done.
     */
    public static void removeRemembered(Path containerDir) throws IOException {
        Path file = containerDir.resolve(FILE);
        if (!Files.exists(file)) return;
        OptionalInt owner = OptionalInt.empty();
        List<Path> ours = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(OWNER)) {
                owner = OptionalInt.of(Integer.parseInt(line.substring(OWNER.length()).strip()));
            } else if (!line.isBlank()) {
                ours.add(Path.of(line));
            }
        }
        List<Path> removable = new ArrayList<>();
        for (Path dir : ours) {
            if (owner.isEmpty() || !delegatedToAnother(dir, owner.getAsInt())) removable.add(dir);
        }
        CgroupDelegation.removeCreated(removable);
    }

    private static boolean delegatedToAnother(Path dir, int owner) {
        try {
            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return uid != 0 && uid != owner;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // gone already, or unreadable: rmdir decides
        }
    }
}
