package io.sysbox.setup.spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The namespaces of the host, i.e. of the runtime process: the directory holding its ns links
 * ({@code /proc/self/ns} in production; a test may point it at another process's ns directory).
 */
public record HostNamespaces(Path nsDir) {

    /** OCI namespace type → the file name the kernel uses under /proc/PID/ns. */
    private static final Map<String, String> PROC_NAMES = Map.of(
            "pid", "pid", "network", "net", "ipc", "ipc", "uts", "uts", "mount", "mnt",
            "user", "user", "cgroup", "cgroup", "time", "time");

    public static HostNamespaces ofThisProcess() {
        return ofProcess("self");
    }

    /** The namespaces of the runtime process: what "the host's" means for the container it creates. */
    public static HostNamespaces ofProcess(String pid) {
        return new HostNamespaces(Path.of("/proc", pid, "ns"));
    }

    /** The host's namespace of an OCI type, empty when the type is unknown or the kernel lacks it. */
    public Optional<NamespaceId> of(String ociType) {
        String name = PROC_NAMES.get(ociType);
        if (name == null) return Optional.empty();
        try {
            return Optional.of(NamespaceId.of(nsDir.resolve(name)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether PATH names the host's namespace of that type. */
    public boolean isHost(String ociType, Path path) throws IOException {
        NamespaceId id = NamespaceId.of(path);
        return of(ociType).map(id::equals).orElse(false);
    }
}
