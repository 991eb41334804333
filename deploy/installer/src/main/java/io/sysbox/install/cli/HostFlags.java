package io.sysbox.install.cli;

import io.sysbox.install.host.DeferredRestarts;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.Service;
import io.sysbox.install.host.ServiceControl;
import io.sysbox.install.undo.ChangeJournal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /** Reports what an uninstall of WHAT restored, and restarts SERVICE when anything was. */
    void reportUndo(PrintStream out, List<Path> restored, String what, Service service) throws IOException {
        if (restored.isEmpty()) {
            out.println("nothing to undo: no " + what + " change recorded in " + ChangeJournal.STATE_DIR);
            return;
        }
        for (Path p : restored) out.println(p + ": restored as it was before the install");
        out.println(services.restart(service));
    }
}
