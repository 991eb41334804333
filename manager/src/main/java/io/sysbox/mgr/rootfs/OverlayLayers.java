package io.sysbox.mgr.rootfs;

import java.nio.file.Path;
import java.util.List;

/**
 * What an overlay mount is made of, with every path absolute and canonical (Docker's
 * {@code overlay2/l/<short>} symlinks resolved).
 *
 * @param lowerDirs top-most first, as overlayfs lists them
 * @param upperDir  the writable layer, or null for a read-only overlay
 * @param workDir   overlayfs's scratch directory beside the upper layer, or null with it
 * @param options   the mount's other options to carry over to a new overlay on the same layers,
 *                  {@code key=value} or a bare flag
 */
public record OverlayLayers(Path mountPoint, List<Path> lowerDirs, Path upperDir, Path workDir, List<String> options) {
    public OverlayLayers {
        lowerDirs = List.copyOf(lowerDirs);
        options = List.copyOf(options);
        if (lowerDirs.isEmpty()) throw new IllegalArgumentException("an overlay has at least one lower layer");
        if ((upperDir == null) != (workDir == null)) {
            throw new IllegalArgumentException("an overlay has both an upperdir and a workdir, or neither");
        }
    }
}
