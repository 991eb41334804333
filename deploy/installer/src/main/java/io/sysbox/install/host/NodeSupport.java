package io.sysbox.install.host;

import io.sysbox.common.sys.KernelRelease;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the runtime can work on this node at all, checked before anything is changed: the
 * kernel must idmap overlay layers (the manager's way of shifting a pod's rootfs). The kernel is
 * the one running the installer, the same as the host's; PROC is where its /proc is.
 */
public record NodeSupport(Path proc) {
    public static final NodeSupport RUNNING_KERNEL = new NodeSupport(Path.of("/proc"));

    /** Empty when supported, else why not (a sentence for a node annotation or an operator). */
    public Optional<String> unsupportedReason() {
        KernelRelease kernel;
        try {
            kernel = KernelRelease.of(proc);
        } catch (IOException e) {
            return Optional.of("cannot tell the kernel's version: " + e.getMessage());
        }
        if (!kernel.idmapsOverlayLayers()) {
            return Optional.of("kernel " + kernel + " is older than " + KernelRelease.OLDEST_SUPPORTED
                    + ": it cannot idmap overlay layers, which sysbox-runc needs to shift a container's rootfs");
        }
        return Optional.empty();
    }
}
