package io.sysbox.fs.seccomp;

/**
 * The mounts a container had when its init was ready to run (its mount table at that moment, as
 * the init sees it), and what that makes immutable. A mount is recognised as an initial one, or
 * as a bind of one, by its superblock and the directory it shows (device and root): those stay
 * the same in a copy made by unshare -m, by a bind, or seen from a chroot, where mount ids and
 * mount points change.
 */
public record InitialMounts(MountTable table) {

    /**
     * Whether ENTRY must not be unmounted: the caller's root; an initial mount at its initial
     * place that is /proc, /sys or below them (the emulated files, masks, read-only paths); any
     * other initial mount at its place unless unmounts are allowed.
     */
    public boolean keepsMounted(MountEntry entry, ImmutabilityOptions options) {
        if (entry.mountPoint().equals("/")) return true;
        for (MountEntry initial : table.entries()) {
            if (!initial.device().equals(entry.device()) || !initial.root().equals(entry.root())
                    || !initial.mountPoint().equals(entry.mountPoint())) {
                continue;
            }
            if (MountEntry.isAtOrBelow(initial.mountPoint(), "/proc") || MountEntry.isAtOrBelow(initial.mountPoint(), "/sys")) {
                return true;
            }
            if (!options.allowUnmounts()) return true;
        }
        return false;
    }

    /**
     * Whether ENTRY shows part of a mount that was read-only at start (the mount itself, a bind of
     * it or of a directory in it, a copy in another mount namespace): it must stay read-only.
     */
    public boolean keepsReadOnly(MountEntry entry) {
        for (MountEntry initial : table.entries()) {
            if (initial.readOnly() && initial.device().equals(entry.device())
                    && MountEntry.isAtOrBelow(entry.root(), initial.root())) {
                return true;
            }
        }
        return false;
    }
}
