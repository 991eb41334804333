package io.sysbox.fs.seccomp;

/**
 * How strictly a container's initial mounts are kept (sysbox-fs's flags).
 *
 * @param allowRemounts a mount read-only at start (or a bind of one) may be made read-write
 * @param allowUnmounts initial mounts other than /, /proc, /sys and what stands on them may be unmounted
 */
public record ImmutabilityOptions(boolean allowRemounts, boolean allowUnmounts) {
    public static ImmutabilityOptions defaults() {
        return new ImmutabilityOptions(false, true);
    }
}
