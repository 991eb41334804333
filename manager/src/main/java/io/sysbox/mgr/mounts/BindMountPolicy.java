package io.sysbox.mgr.mounts;

import io.sysbox.mgr.idmap.IdmapUnsupportedException;
import io.sysbox.mgr.idrange.ContainerMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides how each bind mount of a container reaches it (SPEC §4). The preferred way is an
 * idmapped clone of the source, so a host file owned by uid N shows as N inside. A mount is
 * left as it is when the user asked (SYSBOX_SKIP_UID_SHIFT), when it is a device node (its
 * mode, not its owner, decides access), or when the source already belongs to the
 * container's ids. A source that cannot be idmapped falls back to the user's guide's rules
 * ("Docker Bind Mount Permissions"): without userns-remap it must be owned by root:root and
 * reachable only by root; with userns-remap it must be owned by the remapped uid:gid.
 */
public final class BindMountPolicy {
    private static final String GUIDE = "see \"Docker Bind Mount Permissions\" in the user's guide";

    /** A bind mount of the request; index is its position in the spec's mounts. */
    public record BindSource(int index, Path source, String destination, boolean recursive) {}

    /**
     * @param honoured whether the mapping came with the spec (Docker userns-remap, CRI userns)
     */
    public record Container(ContainerMapping mapping, boolean honoured, Set<String> skipUidShift) {
        public Container {
            skipUidShift = skipUidShift.stream().map(BindMountPolicy::normalize).collect(Collectors.toUnmodifiableSet());
        }
    }

    /** Makes an idmapped clone of source at target; IdmapUnsupportedException when it cannot. */
    @FunctionalInterface
    public interface Shifter {
        void shift(Path source, Path target, boolean recursive) throws IOException;
    }

    public sealed interface Outcome permits Shifted, Unshifted {}

    /** The runtime mounts source (an idmapped clone) instead of the spec's source. */
    public record Shifted(Path source) implements Outcome {}

    /** The runtime mounts the source as the spec says. */
    public record Unshifted(Reason reason, String detail) implements Outcome {}

    public enum Reason { SKIP_UID_SHIFT, DEVICE, OWNED_BY_CONTAINER, MISSING, NOT_IDMAPPABLE }

    /** A directory of sysbox's own (WHAT says which) that no bind mount may reach into. */
    public record OwnDirectory(Path path, String what) {}

    private final List<OwnDirectory> ownDirectories;

    /** A policy for tests that have no daemon directories. */
    public BindMountPolicy() {
        this(List.of());
    }

    /**
     * @param ownDirectories the manager's data root (every container's records and rootfs clones) and
     *                       run dir (the daemons' root-only sockets): an idmapped bind of either would
     *                       make the container's root their owner
     */
    public BindMountPolicy(List<OwnDirectory> ownDirectories) {
        this.ownDirectories = List.copyOf(ownDirectories);
    }

    public Outcome apply(BindSource mount, Container container, Path cloneTarget, Shifter shifter)
            throws IOException, MountPolicyException {
        checkOutsideOwnDirectories(mount);
        if (container.skipUidShift().contains(normalize(mount.destination()))) {
            return new Unshifted(Reason.SKIP_UID_SHIFT, mount.destination() + " is in SYSBOX_SKIP_UID_SHIFT");
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(mount.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // The low-level runtime reports a missing source in its own words, as it would without sysbox.
            return new Unshifted(Reason.MISSING, mount.source() + " does not exist");
        }
        if (attributes.isOther()) {
            return new Unshifted(Reason.DEVICE, mount.source() + " is a device, fifo or socket: never idmapped");
        }
        long uid = owner(mount.source(), "uid");
        if (container.mapping().uid().contains(uid)) {
            return new Unshifted(Reason.OWNED_BY_CONTAINER, mount.source() + " is owned by uid " + uid
                    + ", already inside the container's range " + container.mapping().uid());
        }
        try {
            shifter.shift(mount.source(), cloneTarget, mount.recursive());
            return new Shifted(cloneTarget);
        } catch (IdmapUnsupportedException e) {
            checkUnshifted(mount, container, e.getMessage());
            return new Unshifted(Reason.NOT_IDMAPPABLE, e.getMessage());
        }
    }

    private void checkOutsideOwnDirectories(BindSource mount) throws IOException, MountPolicyException {
        Path real;
        try {
            real = mount.source().toRealPath();
        } catch (NoSuchFileException e) {
            return; // missing: left to the low-level runtime (below)
        }
        for (OwnDirectory own : ownDirectories) {
            Path ownReal = own.path().toRealPath();
            if (real.startsWith(ownReal)) {
                throw new MountPolicyException("bind mount source " + mount.source() + " (destination "
                        + mount.destination() + ") is " + (real.equals(ownReal) ? "" : "inside ") + "sysbox's " + own.what()
                        + " " + ownReal + ", which no container may reach (its root would own every container's"
                        + " records, clones and sockets there); bind a directory of its own instead");
            }
        }
    }

    /**
     * The seed's rules for a source that reaches the container without ID shifting.
     *
     * @param why why it cannot be shifted, for the message
     */
    public void checkUnshifted(BindSource mount, Container container, String why)
            throws IOException, MountPolicyException {
        Path real = mount.source().toRealPath();
        long uid = owner(real, "uid");
        long gid = owner(real, "gid");
        String subject = "bind mount source " + mount.source() + " (destination " + mount.destination() + ")";
        if (container.honoured()) {
            long wantUid = container.mapping().uid().hostId();
            long wantGid = container.mapping().gid().hostId();
            if (uid != wantUid || gid != wantGid) {
                throw new MountPolicyException(subject + " cannot be ID-shifted (" + why + "), so with userns-remap"
                        + " it must be owned by the remapped user " + wantUid + ":" + wantGid + ", but it is owned by "
                        + uid + ":" + gid + "; run `chown " + wantUid + ":" + wantGid + " " + real + "` (" + GUIDE + ")");
            }
            return;
        }
        if (uid != 0 || gid != 0) {
            throw new MountPolicyException(subject + " cannot be ID-shifted (" + why + "), so it must be owned by"
                    + " root:root, but it is owned by " + uid + ":" + gid + "; run `chown root:root " + real + "` ("
                    + GUIDE + ")");
        }
        List<Path> path = new ArrayList<>();
        for (int i = 1; i <= real.getNameCount(); i++) path.add(real.getRoot().resolve(real.subpath(0, i)));
        for (Path component : path) {
            if (rootOnlyDirectory(component)) return;
        }
        throw new MountPolicyException(subject + " cannot be ID-shifted (" + why + "), so its path must be"
                + " accessible only by root: one of " + path.stream().map(Path::toString).collect(Collectors.joining(", "))
                + " must be a root-owned directory with 0700 permissions, and none is; run `chmod 0700` on one of"
                + " them (" + GUIDE + ")");
    }

    /** A directory owned by root that gives group and others no access at all (0700 or stricter). */
    private static boolean rootOnlyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) return false;
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return owner(path, "uid") == 0 && (mode & 0077) == 0;
    }

    private static long owner(Path path, String which) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:" + which));
    }

    static String normalize(String destination) {
        return Path.of("/").resolve(destination).normalize().toString();
    }
}
