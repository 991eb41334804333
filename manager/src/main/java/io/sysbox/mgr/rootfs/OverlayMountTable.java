package io.sysbox.mgr.rootfs;

import io.sysbox.mgr.idmap.MountInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds out from the mount table whether a rootfs is an overlay's mount point (Docker, containerd). */
public final class OverlayMountTable {
    static final String OVERLAY = "overlay";

    private OverlayMountTable() {}

    /**
     * The layers of the overlay mounted at path, when the top-most mount there is one; empty
     * when path is not a mount point or something else is mounted on it.
     */
    public static Optional<OverlayLayers> at(Path path) throws IOException {
        Path canonical = path.toRealPath();
        List<MountInfo> mounts = MountInfo.read();
        // Later lines are mounted later: the last one at a mount point is what a lookup reaches.
        MountInfo top = null;
        for (MountInfo mount : mounts) {
            if (mount.mountPoint().equals(canonical)) top = mount;
        }
        if (top == null || !top.fsType().equals(OVERLAY)) return Optional.empty();
        if (!top.root().equals("/")) {
            throw new OverlayRootfsException("rootfs " + canonical + " is a bind mount of " + top.root()
                    + " inside an overlay, not the overlay itself; sysbox ID-shifts an overlay rootfs by its layers,"
                    + " so hand over the overlay's own mount point");
        }
        return Optional.of(OverlaySuperOptions.parse(canonical, top.superOptions()));
    }
}
