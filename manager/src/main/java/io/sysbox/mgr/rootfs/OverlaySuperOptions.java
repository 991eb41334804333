package io.sysbox.mgr.rootfs;

import io.sysbox.mgr.idmap.MountInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an overlay's layers from its super options as /proc/self/mountinfo prints them. The
 * kernel prints each path as it was given, in one of two forms:
 * <ul>
 * <li>{@code lowerdir=a:b} (mount(2), or fsconfig "lowerdir"): the given string, in which the
 *     mounter escaped ':' ',' and '\' with a backslash; overlayfs strips those escapes itself.
 *     {@code upperdir=} and {@code workdir=} are printed as given too and unescaped the same way.</li>
 * <li>{@code lowerdir+=a,lowerdir+=b} (fsconfig, kernel ≥ 6.8): one raw path per layer, no
 *     backslash escapes.</li>
 * </ul>
 * On top of that mountinfo octal-escapes space, tab, newline, '\' and ',' ({@code \054}), so
 * the option list is split on ',' first and octal-unescaped next.
 *
 * <p>Paths may be relative to the mounter's working directory: Docker's overlay2 driver
 * mounts from its home directory with relative paths ({@code l/ABC:l/DEF}, {@code <id>/diff})
 * when absolute ones would not fit in mount(2)'s one page. Its mount point is always
 * {@code <home>/<id>/merged}, so relative paths are resolved against the mount point's
 * grandparent.
 */
public final class OverlaySuperOptions {
    /** Options that describe layers (read here), or that the new overlay must set its own way. */
    private static final Set<String> NOT_CARRIED = Set.of("rw", "ro", "lowerdir", "lowerdir+", "datadir+",
            "upperdir", "workdir",
            // The new overlay shares the upper layer with the original mount: see OverlayMounter.
            "index",
            // Needs index=on.
            "nfs_export");

    private OverlaySuperOptions() {}

    public static OverlayLayers parse(Path mountPoint, String superOptions) throws OverlayRootfsException {
        List<String> lowers = new ArrayList<>();
        String upper = null;
        String work = null;
        List<String> carried = new ArrayList<>();
        for (String raw : superOptions.split(",")) {
            if (raw.isEmpty()) continue;
            String option = MountInfo.unescape(raw);
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            switch (key) {
                case "lowerdir" -> lowers.addAll(splitLowerdir(mountPoint, value));
                case "lowerdir+" -> lowers.add(value);
                case "upperdir" -> upper = unescapeBackslashes(value);
                case "workdir" -> work = unescapeBackslashes(value);
                case "datadir+" -> throw dataOnlyLayers(mountPoint);
                default -> {
                    if (!NOT_CARRIED.contains(key)) carried.add(option);
                }
            }
        }
        if (lowers.isEmpty()) {
            throw new OverlayRootfsException("the overlay mounted at " + mountPoint + " shows no lowerdir in"
                    + " /proc/self/mountinfo (super options: " + superOptions + ")");
        }
        if ((upper == null) != (work == null)) {
            throw new OverlayRootfsException("the overlay mounted at " + mountPoint + " has "
                    + (upper == null ? "a workdir but no upperdir" : "an upperdir but no workdir")
                    + " in /proc/self/mountinfo (super options: " + superOptions + ")");
        }
        List<Path> lowerDirs = new ArrayList<>();
        for (String lower : lowers) lowerDirs.add(resolve(mountPoint, "lowerdir", lower));
        return new OverlayLayers(mountPoint, lowerDirs,
                upper == null ? null : resolve(mountPoint, "upperdir", upper),
                work == null ? null : resolve(mountPoint, "workdir", work), carried);
    }

    /** Splits at the ':' the mounter did not escape, and removes the escapes. */
    private static List<String> splitLowerdir(Path mountPoint, String value) throws OverlayRootfsException {
        List<String> layers = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                current.append(value.charAt(++i));
            } else if (c == ':') {
                // "a::b": b is a data-only layer.
                if (current.isEmpty()) throw dataOnlyLayers(mountPoint);
                layers.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (current.isEmpty()) throw dataOnlyLayers(mountPoint);
        layers.add(current.toString());
        return layers;
    }

    private static String unescapeBackslashes(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) c = value.charAt(++i);
            out.append(c);
        }
        return out.toString();
    }

    private static Path resolve(Path mountPoint, String option, String given) throws OverlayRootfsException {
        Path path = Path.of(given);
        if (!path.isAbsolute()) {
            Path home = mountPoint.getParent() == null ? null : mountPoint.getParent().getParent();
            if (home == null) {
                throw new OverlayRootfsException("the overlay mounted at " + mountPoint + " has a relative " + option
                        + " (" + given + ") and no directory it could be relative to; mount it with absolute paths");
            }
            path = home.resolve(path);
        }
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new OverlayRootfsException("the overlay mounted at " + mountPoint + " has " + option + " " + given
                    + ", which does not resolve to an existing directory (" + path + ": " + e.getMessage()
                    + "); is the overlay's layer store intact?", e);
        }
    }

    private static OverlayRootfsException dataOnlyLayers(Path mountPoint) {
        return new OverlayRootfsException("the overlay mounted at " + mountPoint + " has data-only lower layers"
                + " (lowerdir a::b or datadir+), which sysbox cannot ID-shift; use a rootfs without them");
    }
}
