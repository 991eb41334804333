package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A new mount of an engine's overlay rootfs on the same layers, with caches of its own: how
 * the manager writes into a container's layer once the container is gone (special dirs
 * copied back at stop).
 *
 * <p>Not through the engine's mount ({@code overlay2/LAYER/merged}): it stays mounted while
 * the container runs on sysbox's ID-shifted overlay of the same upper layer, and overlayfs
 * caches what it looked up. What the container wrote reached the upper layer behind its back,
 * so its view is stale, and writing through it goes wrong. The case that made this class: the
 * engine's mount still sees {@code /var/lib} only in the image's layer, the container made
 * {@code /var/lib/docker} (the special dir's mount point) in the upper layer, and creating
 * {@code /var/lib/docker} through the engine's mount copies {@code /var/lib} up again over
 * the upper layer's own, non-empty one: ENOTEMPTY, "Directory not empty". The overlayfs
 * documentation calls any change to a mounted overlay's layers undefined behaviour. A mount
 * made now reads the layers as they are; it shares the upper layer exactly as the ID-shifted
 * overlay does (index=off, see {@link OverlayMounter}) and uses the same workdir in the
 * engine's (see {@link SysboxWorkDir}), which is free: the ID-shifted overlay is gone.
 */
public final class FreshOverlay implements AutoCloseable {
    private final Path mountPoint;
    private final SysboxWorkDir work;

    private FreshOverlay(Path mountPoint, SysboxWorkDir work) {
        this.mountPoint = mountPoint;
        this.work = work;
    }

    /**
     * When an overlay with an upper layer is mounted at rootfs, mounts another one of its
     * layers at mountPoint (created; it must not exist or be an empty directory). Empty when
     * rootfs is not an overlay mount (write into it directly) or has no upper layer (nothing
     * can be written into it anyway).
     */
    public static Optional<FreshOverlay> of(Path rootfs, Path mountPoint) throws IOException {
        Optional<OverlayLayers> found = OverlayMountTable.at(rootfs);
        if (found.isEmpty() || found.get().upperDir() == null) return Optional.empty();
        OverlayLayers layers = found.get();
        SysboxWorkDir work = SysboxWorkDir.in(layers.workDir());
        try {
            work.create();
            Files.createDirectories(mountPoint);
            OverlayMounter.mount(layers.lowerDirs(), layers.upperDir(), work.overlayWork(), layers.options(), mountPoint);
            return Optional.of(new FreshOverlay(mountPoint, work));
        } catch (IOException e) {
            OverlayRootfsException failed = new OverlayRootfsException("cannot mount a fresh overlay of rootfs " + rootfs
                    + "'s layers at " + mountPoint + ": " + e.getMessage(), e);
            try {
                Files.deleteIfExists(mountPoint);
                work.remove();
            } catch (IOException cleanup) {
                failed.addSuppressed(cleanup);
            }
            throw failed;
        }
    }

    /** Where the layers can be written. */
    public Path root() {
        return mountPoint;
    }

    /** Unmounts (not lazily: once this returns, every write is in the upper layer) and removes what was made. */
    @Override
    public void close() throws IOException {
        try {
            MountApi.umount(mountPoint.toString(), 0);
        } catch (ErrnoException e) {
            throw new IOException("cannot unmount the fresh overlay at " + mountPoint + ": " + e.getMessage()
                    + "; something still uses it (unmount it by hand, then remove " + work.dir() + ")", e);
        }
        Files.deleteIfExists(mountPoint);
        work.remove();
    }
}
