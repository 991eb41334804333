package io.sysbox.mgr.rootfs;

import io.sysbox.mgr.idmap.IdmapUnsupportedException;
import io.sysbox.mgr.idmap.IdmappedMount;
import io.sysbox.mgr.idmap.UserNamespaceFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * ID-shifts an overlay rootfs (SPEC §4) without touching the image's layers. overlayfs cannot
 * be idmapped itself, but its layers can: each lower layer (shared with other containers and
 * images, never modified) gets an idmapped clone, and the upper layer (the container's own)
 * is lent to the container's host root: its owners are shifted on disk for as long as the
 * container exists, and given back when it goes, so the engine (`docker commit`, `docker
 * diff`) sees root-owned files again. A new overlay on the clones and the same upper layer is
 * what the container gets; the engine's own overlay stays mounted where it was.
 */
public final class OverlayRootfsShifter {
    private OverlayRootfsShifter() {}

    /**
     * Lends the upper layer, attaches an idmapped clone of lower layer i at lowerClone(i), and
     * mounts the new overlay at target. On failure whatever was attached stays for the caller
     * to unmount, and the upper layer for it to {@link #giveBack}: its record of the shift must
     * be durable before this is called.
     */
    public static void mount(OverlayLayers layers, IdShift toHost, UserNamespaceFile userns,
                             IntFunction<Path> lowerClone, Path target) throws IOException {
        Path overlayWork = null;
        if (layers.upperDir() != null) {
            SysboxWorkDir work = SysboxWorkDir.in(layers.workDir());
            work.create();
            overlayWork = work.overlayWork();
            // Before the mount: overlayfs caches the attributes of the directories it has looked up.
            new TreeOwnershipShift(toHost, work.journal()).apply(layers.upperDir());
        }
        List<Path> clones = new ArrayList<>();
        for (int i = 0; i < layers.lowerDirs().size(); i++) {
            Path lower = layers.lowerDirs().get(i);
            Path clone = lowerClone.apply(i);
            try {
                IdmappedMount.attach(lower, clone, userns, false);
            } catch (IdmapUnsupportedException e) {
                throw new OverlayRootfsException("cannot ID-shift lower layer " + lower + " of the overlay rootfs "
                        + layers.mountPoint() + ": " + e.getMessage() + "; the engine's layer store must be on a"
                        + " filesystem with idmapped-mount support (ext4, xfs, btrfs)", e);
            }
            clones.add(clone);
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(target);
        OverlayMounter.mount(clones, layers.upperDir(), overlayWork, layers.options(), target);
    }

    /**
     * Gives the upper layer back to the container's ids as seen inside (host root for a
     * root-owned image file), and removes sysbox's directory from the engine's workdir. The
     * shifted overlay must be unmounted first. Idempotent; a layer the engine already removed
     * is nothing to give back.
     *
     * @return how many entries changed owner
     */
    public static long giveBack(Path upperDir, Path engineWorkDir, IdShift toHost) throws IOException {
        SysboxWorkDir work = SysboxWorkDir.in(engineWorkDir);
        long changed = 0;
        if (Files.isDirectory(upperDir, LinkOption.NOFOLLOW_LINKS)) {
            work.create();
            changed = new TreeOwnershipShift(toHost.inverse(), work.journal()).apply(upperDir);
        }
        work.remove();
        return changed;
    }
}
