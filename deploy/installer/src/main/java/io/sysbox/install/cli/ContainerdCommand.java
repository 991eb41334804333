package io.sysbox.install.cli;

import io.sysbox.install.containerd.ContainerdBinary;
import io.sysbox.install.containerd.ContainerdHandler;
import io.sysbox.install.containerd.ContainerdHandlerInstall;
import io.sysbox.install.containerd.HandlerChange;
import io.sysbox.install.host.Service;
import io.sysbox.install.undo.ChangeJournal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** containerd: the sysbox-runc handler in containerd's config (1.x or 2.x), then a restart of containerd. */
final class ContainerdCommand implements Command {
    @Override
    public String name() {
        return "containerd";
    }

    @Override
    public String summary() {
        return "add the sysbox-runc CRI handler to containerd's config (1.x and 2.x) and restart containerd";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-install containerd [flags]

                Adds the CRI runtime handler "sysbox-runc" (runtime_type io.containerd.runc.v2, options
                BinaryName PATH) to containerd's config: containerd 1.x's io.containerd.grpc.v1.cri section
                (config version 2) or 2.x's io.containerd.cri.v1.runtime (version 3). It goes into a
                drop-in when the config imports a directory and containerd merges it without loss, else it
                is appended to the config, the rest of which stays byte for byte. Then containerd is
                restarted (systemd, or by pid file). Running it again changes nothing.

                Flags:
                   --config value          containerd's config (host path; default /etc/containerd/config.toml)
                   --runtime-path value    the sysbox-runc the shim runs (default /usr/local/sbin/sysbox-runc)
                """ + HostFlags.USAGE;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Flags flags = Flags.parse(name(), args, Flags.set(HostFlags.HOST_ROOT, "config", "runtime-path"),
                Flags.set(HostFlags.NO_RESTART, "uninstall"));
        HostFlags host = HostFlags.of(name(), flags);
        ChangeJournal journal = ChangeJournal.open(host.host());
        if (flags.bool("uninstall")) {
            if (flags.has("runtime-path")) throw new UsageException(name(), "--uninstall takes no --runtime-path");
            host.reportUndo(out, ContainerdHandlerInstall.uninstall(journal), "containerd", Service.CONTAINERD);
            return 0;
        }
        ContainerdHandler handler = ContainerdHandler.sysbox(Path.of(flags.value("runtime-path",
                DockerCommand.DEFAULT_RUNTIME_PATH.toString())));
        ContainerdHandlerInstall install = new ContainerdHandlerInstall(host.host(),
                Path.of(flags.value("config", ContainerdHandlerInstall.DEFAULT_CONFIG.toString())),
                ContainerdBinary.find(host.host()).flatMap(ContainerdBinary::major));
        HandlerChange change = install.install(journal, handler);
        out.println(change.describe());
        if (change.changed()) out.println(host.services().restart(Service.CONTAINERD));
        return 0;
    }
}
