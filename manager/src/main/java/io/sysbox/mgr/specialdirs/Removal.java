package io.sysbox.mgr.specialdirs;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** How SpecialDirs learns that a container is gone for good, which decides what the manager must call. */
public sealed interface Removal {
    /**
     * A Docker overlay2 rootfs ({@code overlay2/LAYER/merged}): Docker deletes the runtime's
     * container at every stop and never tells the runtime about {@code docker rm}, so
     * SpecialDirs watches the layer directory and removes the special dirs when it disappears.
     * The manager calls {@code stopped} at each runtime delete and never {@code removed}.
     */
    record WatchedLayer(Path layerDir) implements Removal {}

    /**
     * Any other rootfs (a plain directory, sysbox-runc used directly): the runtime's delete is
     * the container's end, so the manager calls {@code removed} right after {@code stopped}.
     */
    record AtRuntimeDelete() implements Removal {}

    /** Which one applies to a container with this (original, not idmapped) rootfs. */
    static Removal of(Path rootfs) {
        Path layer = rootfs.getParent();
        if (layer != null && "merged".equals(String.valueOf(rootfs.getFileName()))
                && Files.isDirectory(layer.resolve("diff"), LinkOption.NOFOLLOW_LINKS)) {
            return new WatchedLayer(layer);
        }
        return new AtRuntimeDelete();
    }
}
