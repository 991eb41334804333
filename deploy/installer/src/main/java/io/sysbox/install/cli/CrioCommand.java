package io.sysbox.install.cli;

import io.sysbox.common.cli.FlagSet;
import io.sysbox.common.cli.UsageException;

import io.sysbox.install.crio.CrioHandler;
import io.sysbox.install.crio.CrioHandlerInstall;
import io.sysbox.install.host.Service;
import io.sysbox.install.undo.ChangeJournal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** crio: the sysbox-runc handler as a CRI-O drop-in, then a restart of CRI-O. */
final class CrioCommand implements Command {
    @Override
    public String name() {
        return "crio";
    }

    @Override
    public String summary() {
        return "add the sysbox-runc handler to CRI-O (a crio.conf.d drop-in) and restart CRI-O";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-install crio [flags]

                Writes /etc/crio/crio.conf.d/99-sysbox-runc.conf with [crio.runtime.runtimes.sysbox-runc]:
                runtime_path PATH, runtime_type "oci", allowed_annotations ["io.kubernetes.cri-o.userns-mode"],
                and drop_infra_ctr = false under [crio.runtime] (a sysbox-runc pod's infra container holds the
                pod's user namespace; this applies to every pod of the node). crio.conf and the other drop-ins are checked (they must parse) and left alone. Then CRI-O is
                restarted (systemd, or by pid file). Running it again changes nothing.

                Flags:
                   --drop-in-dir value     CRI-O's drop-in directory (host path; default /etc/crio/crio.conf.d)
                   --runtime-path value    the sysbox-runc conmon runs (default /usr/local/sbin/sysbox-runc)
                """ + HostFlags.USAGE;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        FlagSet.Parsed flags = new FlagSet(name())
                .value(HostFlags.HOST_ROOT).value("drop-in-dir").value("runtime-path").bool(HostFlags.NO_RESTART).bool("uninstall")
                .parseFlagsOnly(args);
        HostFlags host = HostFlags.of(name(), flags);
        ChangeJournal journal = ChangeJournal.open(host.host());
        if (flags.bool("uninstall")) {
            if (flags.has("runtime-path")) throw new UsageException(name(), "--uninstall takes no --runtime-path");
            host.reportUndo(out, CrioHandlerInstall.uninstall(journal), "CRI-O", Service.CRIO);
            return 0;
        }
        CrioHandlerInstall install = new CrioHandlerInstall(host.host(),
                Path.of(flags.value("drop-in-dir", CrioHandlerInstall.DROP_IN_DIR.toString())));
        CrioHandler handler = CrioHandler.sysbox(Path.of(flags.value("runtime-path", DockerCommand.DEFAULT_RUNTIME_PATH.toString())));
        boolean changed = install.install(journal, handler);
        out.println(install.dropIn() + (changed ? ": wrote the sysbox-runc handler" : ": unchanged (the sysbox-runc handler is there)"));
        if (changed) out.println(host.services().restart(Service.CRIO));
        return 0;
    }
}
