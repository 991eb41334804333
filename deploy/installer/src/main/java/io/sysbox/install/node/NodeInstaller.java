package io.sysbox.install.node;

import io.sysbox.install.containerd.ContainerdHandler;
import io.sysbox.install.containerd.ContainerdHandlerInstall;
import io.sysbox.install.containerd.HandlerChange;
import io.sysbox.install.crio.CrioHandler;
import io.sysbox.install.crio.CrioHandlerInstall;
import io.sysbox.install.host.DistInstall;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.NodeSupport;
import io.sysbox.install.host.Service;
import io.sysbox.install.host.ServiceControl;
import io.sysbox.install.toml.InvalidConfigException;
import io.sysbox.install.undo.ChangeJournal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The whole installation on one node, what `sysbox-install node` and sysbox-deploy run: check the
 * node (kernel, a CRI runtime, configs that can be edited) before changing anything, then copy
 * the binaries and units, (re)start the sysbox daemons, write the sysbox-runc handler for each
 * CRI runtime found and restart the runtimes whose config changed. Every file goes through the
 * host's change journal; {@link #uninstall} puts every one back as it was.
 */
public final class NodeInstaller {
    private final HostRoot host;
    private final NodeSupport support;
    private final ServiceControl services;
    private final DistInstall dist;

    public NodeInstaller(HostRoot host, NodeSupport support, ServiceControl services, DistInstall dist) {
        this.host = host;
        this.support = support;
        this.services = services;
        this.dist = dist;
    }

    /** What the node needs: the runtimes to configure, or why it cannot be supported. Changes nothing. */
    public sealed interface Plan {
        record Ready(List<CriRuntime> runtimes, Optional<ContainerdHandlerInstall.Plan> containerd) implements Plan {}

        record Unsupported(String reason) implements Plan {}
    }

    public Plan plan() throws IOException {
        Optional<String> kernel = support.unsupportedReason();
        if (kernel.isPresent()) return new Plan.Unsupported(kernel.get());
        List<CriRuntime> runtimes = CriRuntime.on(host);
        if (runtimes.isEmpty()) {
            return new Plan.Unsupported("no CRI runtime the installer knows (containerd or CRI-O) on this node: looked"
                    + " for " + CriRuntime.whereLooked());
        }
        dist.check();
        Optional<ContainerdHandlerInstall.Plan> containerd = Optional.empty();
        try {
            if (runtimes.contains(CriRuntime.CONTAINERD)) {
                containerd = Optional.of(ContainerdHandlerInstall.detect(host).plan(containerdHandler()));
            }
            if (runtimes.contains(CriRuntime.CRIO)) CrioHandlerInstall.of(host).plan(crioHandler());
        } catch (InvalidConfigException e) {
            return new Plan.Unsupported(e.getMessage());
        }
        return new Plan.Ready(runtimes, containerd);
    }

    public ContainerdHandler containerdHandler() {
        return ContainerdHandler.sysbox(dist.sysboxRunc());
    }

    public CrioHandler crioHandler() {
        return CrioHandler.sysbox(dist.sysboxRunc());
    }

    public NodeOutcome install() throws IOException {
        Plan plan = plan();
        if (plan instanceof Plan.Unsupported(String reason)) return new NodeOutcome.Unsupported(reason);
        Plan.Ready ready = (Plan.Ready) plan;
        ChangeJournal journal = ChangeJournal.open(host);
        List<String> lines = new ArrayList<>();
        DistInstall.Outcome copied = dist.install(journal);
        lines.add(copied.changed() ? "installed sysbox into " + dist.home() + " (commands in " + dist.prefix().resolve("sbin")
                + ", units in " + dist.systemdDir() + ")" : dist.home() + ": unchanged");
        if (copied.unitsChanged()) lines.add(services.unitsChanged());
        Service sysboxd = Service.sysboxd(dist.prefix(), dist.flags().manager());
        if (copied.changed()) lines.add(services.restart(sysboxd));
        boolean changed = copied.changed();
        for (CriRuntime runtime : ready.runtimes()) {
            boolean configChanged;
            if (runtime == CriRuntime.CONTAINERD) {
                HandlerChange change = ContainerdHandlerInstall.apply(journal, ready.containerd().orElseThrow());
                lines.add(change.describe());
                configChanged = change.changed();
            } else {
                CrioHandlerInstall crio = CrioHandlerInstall.of(host);
                configChanged = crio.install(journal, crioHandler());
                lines.add(crio.dropIn() + (configChanged ? ": wrote the sysbox-runc handler (drop-in)" : ": unchanged"));
            }
            if (configChanged) lines.add(services.restart(runtime.service()));
            changed |= configChanged;
        }
        return new NodeOutcome.Installed(ready.runtimes(), changed, lines);
    }

    /** An install would change no file (and so restart nothing): the node is as the installer leaves it. */
    public boolean upToDate() throws IOException {
        if (!(plan() instanceof Plan.Ready ready)) return false;
        ChangeJournal dry = ChangeJournal.dryRun(host);
        if (dist.install(dry).changed()) return false;
        if (ready.containerd().isPresent() && ContainerdHandlerInstall.apply(dry, ready.containerd().get()).changed()) {
            return false;
        }
        return !ready.runtimes().contains(CriRuntime.CRIO) || !CrioHandlerInstall.of(host).install(dry, crioHandler());
    }

    /**
     * Stops the sysbox daemons, puts the runtimes' configs back and restarts those that changed,
     * then takes the binaries and units away: every file as it was before the first install.
     */
    public NodeOutcome uninstall() throws IOException {
        ChangeJournal journal = ChangeJournal.open(host);
        if (journal.isEmpty()) return new NodeOutcome.Uninstalled(false, List.of("nothing to undo: no installation recorded in "
                + ChangeJournal.STATE_DIR));
        List<String> lines = new ArrayList<>();
        boolean binaries = !journal.originals(DistInstall.OWNER).isEmpty();
        if (binaries) lines.add(services.stop(Service.sysboxd(dist.prefix(), dist.flags().manager())));
        List<Path> containerd = ContainerdHandlerInstall.uninstall(journal);
        report(lines, containerd);
        if (!containerd.isEmpty()) lines.add(services.restart(CriRuntime.CONTAINERD.service()));
        List<Path> crio = CrioHandlerInstall.uninstall(journal);
        report(lines, crio);
        if (!crio.isEmpty()) lines.add(services.restart(CriRuntime.CRIO.service()));
        List<Path> restored = DistInstall.uninstall(journal);
        if (!restored.isEmpty()) {
            lines.add("removed sysbox from " + dist.home() + " and its commands and units (" + restored.size() + " paths restored)");
            lines.add(services.unitsChanged());
        }
        return new NodeOutcome.Uninstalled(true, lines);
    }

    private static void report(List<String> lines, List<Path> restored) {
        for (Path p : restored) lines.add(p + ": restored as it was before the install");
    }
}
