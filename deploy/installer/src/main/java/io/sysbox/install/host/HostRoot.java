package io.sysbox.install.host;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's file system as the installer sees it: {@code /} when it runs on the host, the
 * directory the host's root is mounted at when it runs in a pod (the DaemonSet mounts it at
 * {@code /host}), a temp directory in tests. Every path the installer reads or writes is a host
 * path (absolute, as the host's processes see it) resolved here, so messages name host paths.
 */
public record HostRoot(Path root) {
    public HostRoot {
        root = root.toAbsolutePath().normalize();
    }

    public static HostRoot of(String root) {
        return new HostRoot(Path.of(root));
    }

    /** Where the host's HOST_PATH (absolute) is from here. */
    public Path resolve(Path hostPath) {
        if (!hostPath.isAbsolute()) throw new IllegalArgumentException("host path " + hostPath + " is not absolute");
        return root.resolve(hostPath.toString().substring(1)).normalize();
    }

    public Path resolve(String hostPath) {
        return resolve(Path.of(hostPath));
    }

    /** The host path of LOCAL, a path under the root. */
    public Path hostPath(Path local) {
        Path relative = root.relativize(local.toAbsolutePath().normalize());
        if (relative.startsWith("..")) throw new IllegalArgumentException(local + " is not under the host root " + root);
        return Path.of("/").resolve(relative);
    }

    /** True when this is the installer's own root: commands for the host run directly. */
    public boolean isOwnRoot() {
        return root.equals(Path.of("/"));
    }

    /** systemd runs the host (its runtime directory exists): services restart through systemctl. */
    public boolean hasSystemd() {
        return Files.isDirectory(resolve("/run/systemd/system"));
    }
}
