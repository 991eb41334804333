package io.sysbox.install.cli;

import io.sysbox.install.host.DaemonFlags;
import io.sysbox.install.host.DistInstall;
import io.sysbox.install.host.NodeSupport;
import io.sysbox.install.node.NodeInstaller;
import io.sysbox.install.node.NodeOutcome;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** node: everything a Kubernetes node needs (what sysbox-deploy runs in its DaemonSet). */
final class NodeCommand implements Command {
    private final SysboxInstall.Defaults defaults;

    NodeCommand(SysboxInstall.Defaults defaults) {
        this.defaults = defaults;
    }

    @Override
    public String name() {
        return "node";
    }

    @Override
    public String summary() {
        return "install on a Kubernetes node: binaries, units, daemons, the handler of each CRI runtime found";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-install node [flags]

                Checks the node first (kernel 5.19 or later, containerd or CRI-O installed, their configs
                readable) and changes nothing if it cannot be supported. Then copies the dist/ layout to
                PREFIX/lib/sysbox (commands in PREFIX/sbin, units in /etc/systemd/system, sysboxd
                enabled), restarts sysboxd, writes the sysbox-runc handler for containerd and/or CRI-O
                (as the containerd and crio commands do) and restarts each runtime whose config changed.
                Running it again changes nothing and restarts nothing.

                Flags:
                   --dist value            the built layout to install (default: the one this runs from)
                   --prefix value          install root on the host (default /usr/local)
                   --mgr-flags value       extra sysbox-mgr flags (a unit drop-in), e.g. "--log-level debug"
                   --fs-flags value        extra sysbox-fs flags (a unit drop-in)
                """ + HostFlags.USAGE;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Flags flags = Flags.parse(name(), args, Flags.set(HostFlags.HOST_ROOT, "dist", "prefix", "mgr-flags", "fs-flags"),
                Flags.set(HostFlags.NO_RESTART, "uninstall"));
        HostFlags host = HostFlags.of(name(), flags);
        DistInstall dist = new DistInstall(Path.of(flags.value("dist", defaults.dist().toString())),
                Path.of(flags.value("prefix", DistInstall.DEFAULT_PREFIX.toString())), DistInstall.SYSTEMD_DIR,
                DaemonFlags.parse(flags.value("mgr-flags", ""), flags.value("fs-flags", "")));
        NodeInstaller installer = new NodeInstaller(host.host(), NodeSupport.RUNNING_KERNEL, host.services(), dist);
        NodeOutcome outcome = flags.bool("uninstall") ? installer.uninstall() : installer.install();
        if (outcome instanceof NodeOutcome.Unsupported(String reason)) {
            err.println("sysbox-install node: this node cannot run sysbox-runc: " + reason + "; nothing was changed");
            return 1;
        }
        outcome.lines().forEach(out::println);
        return 0;
    }
}
