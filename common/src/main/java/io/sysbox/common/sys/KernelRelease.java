package io.sysbox.common.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running kernel's version (major.minor): for the sysctls newer kernels namespace themselves
 * (sysbox-fs) and for what a node needs at all (the installer).
 */
public record KernelRelease(int major, int minor) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+).*", Pattern.DOTALL);

    /** From {@code <proc>/sys/kernel/osrelease} ("6.18.44-fc-v657"). */
    public static KernelRelease of(Path proc) throws IOException {
        Path osrelease = proc.resolve("sys/kernel/osrelease");
        return parse(Files.readString(osrelease).strip(), osrelease.toString());
    }

    public static KernelRelease parse(String release, String where) throws IOException {
        Matcher m = VERSION.matcher(release);
        if (!m.matches()) throw new IOException(where + " holds '" + release + "', not a kernel release such as 6.18.2");
        return new KernelRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** The oldest kernel the runtime supports: see {@link #idmapsOverlayLayers()}. */
    public static final KernelRelease OLDEST_SUPPORTED = new KernelRelease(5, 19);

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /**
     * Since Linux 6.14 kernel.pid_max belongs to the pid namespace: a container's root sets its
     * own, and the kernel enforces it, which an emulated value could not.
     */
    public boolean namespacesPidMax() {
        return atLeast(6, 14);
    }

    /**
     * Since Linux 5.19 an overlay mount takes idmapped lower layers, which is how the manager shifts
     * an overlay rootfs (Docker's, containerd's); idmapped mounts of a directory came in 5.12, but
     * every engine here hands the runtime an overlay.
     */
    public boolean idmapsOverlayLayers() {
        return atLeast(OLDEST_SUPPORTED.major, OLDEST_SUPPORTED.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
