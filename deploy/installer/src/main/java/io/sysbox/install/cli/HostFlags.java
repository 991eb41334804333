package io.sysbox.install.cli;

import io.sysbox.install.host.DeferredRestarts;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.ServiceControl;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the host-side subcommands share: the host root, and whether services are restarted. */
record HostFlags(HostRoot host, ServiceControl services) {
    static final String HOST_ROOT = "host-root";
    static final String NO_RESTART = "no-restart";
    static final String USAGE = """
               --host-root value       the host's root directory, when not / (a pod with the host mounted at /host)
               --no-restart            change the files only; say what to restart instead of restarting it
               --uninstall             put every file this changed back as it was before (byte for byte)
            """;

    static HostFlags of(String command, Flags flags) throws UsageException {
        Path root = Path.of(flags.value(HOST_ROOT, "/"));
        if (!Files.isDirectory(root)) {
            throw new UsageException(command, "--host-root " + root + " is not a directory");
        }
        HostRoot host = new HostRoot(root);
        return new HostFlags(host, flags.bool(NO_RESTART) ? new DeferredRestarts() : ServiceControl.forHost(host));
    }
}
