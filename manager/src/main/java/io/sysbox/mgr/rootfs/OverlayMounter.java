package io.sysbox.mgr.rootfs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FilesystemContext;
import io.sysbox.common.sys.MountApi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Mounts an overlay on given layers. Two ways, each with its own limit:
 * <ul>
 * <li>the fs-context API, one "lowerdir+" per layer (kernel ≥ 6.8): fsconfig copies at most
 *     255 bytes of a value, so every path must be shorter than that;</li>
 * <li>mount(2) with all options in one string: the kernel copies one page (4096 bytes), which a
 *     deep image's lower layers outgrow (Docker works around that with relative paths and
 *     chdir, which a multi-threaded JVM cannot do).</li>
 * </ul>
 * The first is tried when the paths fit, the second when it cannot be used (older kernel, a
 * longer path) and the options fit in a page.
 *
 * <p>The new overlay shares its upper layer with the overlay the engine (Docker, containerd)
 * keeps mounted: overlayfs marks an upperdir and workdir "in use" by a mount. On 6.18 a second
 * mount on an in-use upperdir is refused with EBUSY ("upperdir is in-use as upperdir/workdir of
 * another mount, mount with '-o index=off' to override exclusive upperdir protection") when
 * the inodes index is on (the "index" module parameter or CONFIG_OVERLAY_FS_INDEX), and only
 * warned about when it is off ("... accessing files from both mounts will result in undefined
 * behavior"; the same warning names the workdir, whose parent is the engine's workdir). So
 * index=off is always set: the index serves hard-link copy-up and NFS export, which a
 * container rootfs does not need, and Docker's overlay2 driver mounts with index=off too. The
 * undefined behaviour is about the two mounts' caches disagreeing; the engine's mount is idle
 * while the container runs (runc uses this one), and the upper layer is shifted before this
 * mount exists and given back after it is gone.
 */
public final class OverlayMounter {
    private static final String SOURCE = "overlay";
    /** fsconfig(2) copies string values with strndup_user(value, 256). */
    private static final int FSCONFIG_VALUE_MAX = 255;
    /** mount(2) copies one page of data. */
    private static final int MOUNT_DATA_MAX = 4095;

    private OverlayMounter() {}

    /**
     * Mounts at target (an existing empty directory) an overlay of lowerDirs (top-most first)
     * and, unless null, upperDir with workDir, plus options ("key=value" or a bare flag).
     */
    public static void mount(List<Path> lowerDirs, Path upperDir, Path workDir, List<String> options, Path target)
            throws IOException {
        String data = mountData(lowerDirs, upperDir, workDir, options);
        boolean dataFits = data.getBytes(StandardCharsets.UTF_8).length <= MOUNT_DATA_MAX;
        Stream<Path> paths = Stream.concat(lowerDirs.stream(), Stream.of(upperDir, workDir).filter(p -> p != null));
        if (paths.allMatch(p -> p.toString().getBytes(StandardCharsets.UTF_8).length <= FSCONFIG_VALUE_MAX)) {
            try {
                mountPerLayer(lowerDirs, upperDir, workDir, options, target);
                return;
            } catch (ErrnoException perLayer) {
                // EINVAL: "lowerdir+" is unknown before 6.8; anything else will not go away with mount(2).
                if (perLayer.errno() != ErrnoException.EINVAL || !dataFits) throw refused(target, perLayer);
                try {
                    MountApi.mount(SOURCE, target.toString(), "overlay", 0, data);
                    return;
                } catch (ErrnoException oneString) {
                    // The first answer has the kernel's own words; the second says the old way fails too.
                    oneString.addSuppressed(perLayer);
                    throw new OverlayRootfsException("cannot mount the ID-shifted overlay rootfs at " + target + ": "
                            + perLayer.getMessage() + "; mount(2) refused it too: " + oneString.getMessage(), oneString);
                }
            }
        }
        if (!dataFits) {
            throw new OverlayRootfsException("cannot mount the ID-shifted overlay rootfs at " + target + ": its "
                    + lowerDirs.size() + " layers' paths take " + data.length() + " bytes, more than mount(2)'s "
                    + MOUNT_DATA_MAX + ", and one of them is longer than the " + FSCONFIG_VALUE_MAX
                    + " bytes fsconfig(2) takes; use a shorter --data-root or engine data root");
        }
        try {
            MountApi.mount(SOURCE, target.toString(), "overlay", 0, data);
        } catch (ErrnoException e) {
            throw refused(target, e);
        }
    }

    private static void mountPerLayer(List<Path> lowerDirs, Path upperDir, Path workDir, List<String> options,
                                      Path target) throws ErrnoException {
        try (FilesystemContext fs = FilesystemContext.open("overlay")) {
            fs.set("source", SOURCE);
            // Taken as is: "lowerdir+" has no separators to escape.
            for (Path lower : lowerDirs) fs.set("lowerdir+", lower.toString());
            if (upperDir != null) {
                // overlayfs strips backslashes from these.
                fs.set("upperdir", escape(upperDir.toString(), "\\"));
                fs.set("workdir", escape(workDir.toString(), "\\"));
            }
            fs.set("index", "off");
            for (String option : options) {
                int eq = option.indexOf('=');
                if (eq < 0) fs.setFlag(option);
                else fs.set(option.substring(0, eq), option.substring(eq + 1));
            }
            fs.create();
            int mount = fs.mount(0);
            try {
                MountApi.moveMount(mount, target.toString());
            } finally {
                MountApi.close(mount);
            }
        }
    }

    /** mount(2)'s option string: ',' separates options, ':' layers; a backslash escapes either. */
    private static String mountData(List<Path> lowerDirs, Path upperDir, Path workDir, List<String> options) {
        List<String> all = new ArrayList<>();
        all.add("lowerdir=" + lowerDirs.stream().map(p -> escape(p.toString(), "\\:,")).collect(Collectors.joining(":")));
        if (upperDir != null) {
            all.add("upperdir=" + escape(upperDir.toString(), "\\:,"));
            all.add("workdir=" + escape(workDir.toString(), "\\:,"));
        }
        all.add("index=off");
        all.addAll(options);
        return String.join(",", all);
    }

    private static IOException refused(Path target, ErrnoException e) {
        return new OverlayRootfsException("cannot mount the ID-shifted overlay rootfs at " + target + ": "
                + e.getMessage(), e);
    }

    private static String escape(String value, String special) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (special.indexOf(c) >= 0) out.append('\\');
            out.append(c);
        }
        return out.toString();
    }
}
