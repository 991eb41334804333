package io.sysbox.mgr.specialdirs;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an inner overlay store (inner Docker's overlay2 data root, containerd's overlayfs
 * snapshotter, buildkit) holds that the container's rootfs cannot take into an image: its
 * whiteouts and its overlayfs xattrs. At stop they are set aside in a file beside the copy,
 * {@value #FILE_NAME} at the top of the special dir's copy in the rootfs; the first start of
 * a container of the committed image puts them back into its new special dir, on the host's
 * filesystem, where they mean again what they meant to the inner overlay.
 *
 * <p>Why not as files of the copy: the copy goes through the container's own overlay (the
 * engine's layer, later {@code docker commit}ed), and for it these are not data.
 * <ul>
 * <li>A whiteout is a 0/0 character device. overlayfs refuses to create one through a mount
 *     (EPERM), as in its upper layer it would be a whiteout of that overlay; put into the
 *     upper layer directly, the engine would commit it as a whiteout of the image layer
 *     ({@code .wh.NAME}): a deletion in the new image instead of an inner file.</li>
 * <li>Overlayfs xattrs, {@code trusted.overlay.*} (or {@code user.overlay.*}, which inner
 *     Docker uses in a user namespace, with {@code userxattr}) mark opaque directories and
 *     more. Set through an overlay of the same namespace, Linux ≥ 6.7 stores them "escaped"
 *     ({@code trusted.overlay.overlay.*}) so that they do not act on it, and for nested
 *     overlays it even reads escaped "alternative whiteouts" (a regular file with an
 *     {@code overlay.whiteout} xattr). But image layers keep no xattr but
 *     {@code security.capability} (Docker's and containerd's layer tars), so no xattr-based
 *     form survives a commit.</li>
 * </ul>
 * Original Sysbox copies with rsync without devices or xattrs and loses both: files an inner
 * image deleted come back, and opaque directories merge with the layers below them. A
 * regular file survives every step, so that is how these travel. Other xattrs (ACLs,
 * {@code user.*}) are the image format's business, as for any file of the rootfs. A rootfs
 * that is a plain directory takes whiteouts and xattrs as they are, and gets no such file.
 *
 * @param version   {@link #VERSION}; a file of another version is reported and not restored
 * @param whiteouts paths relative to the special dir, with image ids
 * @param xattrs    overlayfs xattrs, paths relative to the special dir ("" for the dir itself)
 */
record InnerOverlayMetadata(int version, List<Whiteout> whiteouts, List<Xattr> xattrs) {
    static final String FILE_NAME = ".sysbox-inner-overlay.json";
    static final int VERSION = 1;
    private static final List<String> OVERLAY_XATTR_PREFIXES = List.of("trusted.overlay.", "user.overlay.");

    InnerOverlayMetadata {
        whiteouts = whiteouts == null ? List.of() : List.copyOf(whiteouts);
        xattrs = xattrs == null ? List.of() : List.copyOf(xattrs);
    }

    record Whiteout(String path, long uid, long gid, int mode, long mtimeSeconds, int mtimeNanos) {
        FileTime mtime() {
            return FileTime.from(Instant.ofEpochSecond(mtimeSeconds, mtimeNanos));
        }
    }

    record Xattr(String path, String name, byte[] value) {}

    boolean isEmpty() {
        return whiteouts.isEmpty() && xattrs.isEmpty();
    }

    /** Whether the xattr is overlayfs's, which this file carries (and the copy leaves out). */
    static boolean carries(String xattrName) {
        return OVERLAY_XATTR_PREFIXES.stream().anyMatch(xattrName::startsWith);
    }

    static boolean isWhiteout(FileStat stat) {
        return stat.type() == FileStat.S_IFCHR && stat.rdev() == 0;
    }

    /** Filled while a copy walks the special dir. */
    static final class Collector {
        private final List<Whiteout> whiteouts = new ArrayList<>();
        private final List<Xattr> xattrs = new ArrayList<>();

        void whiteout(Path relative, long uid, long gid, int mode, FileTime mtime) {
            Instant at = mtime.toInstant();
            whiteouts.add(new Whiteout(relative.toString(), uid, gid, mode, at.getEpochSecond(), at.getNano()));
        }

        void xattr(Path relative, String name, byte[] value) {
            xattrs.add(new Xattr(relative.toString(), name, value));
        }

        InnerOverlayMetadata collected() {
            return new InnerOverlayMetadata(VERSION, whiteouts, xattrs);
        }
    }
}
