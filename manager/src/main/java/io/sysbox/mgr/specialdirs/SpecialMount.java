package io.sysbox.mgr.specialdirs;

import java.nio.file.Path;
import java.util.List;

/**
 * A mount to add to the container's spec: {@code {"type": "bind", "source": source,
 * "destination": destination, "options": ["rbind", "rw"]}}. Its source is already owned by
 * the container's host ids, so it must not be ID-shifted (no idmapped mount).
 */
public record SpecialMount(SpecialDirKind kind, Path source, String destination) {
    public static final String TYPE = "bind";
    public static final List<String> OPTIONS = List.of("rbind", "rw");

    /**
     * Where to insert a mount on destination into a spec's mounts (given by their
     * destinations) so it lands before any mount below it, which would otherwise be hidden:
     * the index of the first mount strictly under destination, or the end.
     */
    public static int insertionIndex(List<String> destinations, String destination) {
        Path self = Path.of(destination).normalize();
        for (int i = 0; i < destinations.size(); i++) {
            Path other = Path.of(destinations.get(i)).normalize();
            if (!other.equals(self) && other.startsWith(self)) return i;
        }
        return destinations.size();
    }
}
