package io.sysbox.deploy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sysbox.install.node.NodeInstaller;
import io.sysbox.install.node.NodeOutcome;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * What the DaemonSet runs on each node. Install: check the node first (unsupported: the label
 * {@code sysbox-runtime=unsupported} and the reason as an annotation, no file touched); when an
 * install would change nothing and the node is labelled running, only make sure of the
 * RuntimeClass; else taint the node, install (files, daemons, handlers, restarts), label it
 * running, take the taint away and create the RuntimeClass if missing. A failed install labels
 * the node failed with the reason and takes the taint away (other pods may run on), then throws.
 * Cleanup: label off first (no new sysbox pods), every file back as it was, taint and
 * RuntimeClass gone.
 */
public final class SysboxDeploy {
    private static final Logger LOG = LogManager.getLogger(SysboxDeploy.class);

    private final NodeMarks marks;
    private final SysboxRuntimeClass runtimeClass;
    private final NodeInstaller installer;
    private final Consumer<String> progress;

    public SysboxDeploy(KubernetesClient client, String node, NodeInstaller installer, Consumer<String> progress) {
        this.marks = new NodeMarks(client, node);
        this.runtimeClass = new SysboxRuntimeClass(client);
        this.installer = installer;
        this.progress = line -> {
            LOG.info(line);
            progress.accept(line);
        };
    }

    /** What an install came to. */
    public enum Result { INSTALLED, UP_TO_DATE, UNSUPPORTED }

    public Result install() throws IOException {
        NodeInstaller.Plan plan = installer.plan();
        if (plan instanceof NodeInstaller.Plan.Unsupported(String reason)) {
            marks.mark(NodeMarks.UNSUPPORTED, reason);
            progress.accept("node " + marks.node() + " unsupported, nothing changed: " + reason);
            return Result.UNSUPPORTED;
        }
        if (NodeMarks.RUNNING.equals(marks.label(marks.get())) && installer.upToDate()) {
            marks.removeTaint();
            if (runtimeClass.ensure()) progress.accept("created RuntimeClass " + SysboxRuntimeClass.NAME);
            progress.accept("node " + marks.node() + " up to date: nothing changed");
            return Result.UP_TO_DATE;
        }
        marks.addTaint();
        progress.accept("tainted node " + marks.node() + " " + NodeMarks.KEY + "=" + NodeMarks.NOT_RUNNING + ":"
                + NodeMarks.TAINT_EFFECT);
        NodeOutcome outcome;
        try {
            outcome = installer.install();
        } catch (IOException | RuntimeException e) {
            marks.mark(NodeMarks.FAILED, String.valueOf(e.getMessage()));
            marks.removeTaint();
            throw e;
        }
        outcome.lines().forEach(progress);
        if (outcome instanceof NodeOutcome.Unsupported(String reason)) {
            marks.mark(NodeMarks.UNSUPPORTED, reason);
            marks.removeTaint();
            return Result.UNSUPPORTED;
        }
        marks.mark(NodeMarks.RUNNING, null);
        progress.accept("labelled node " + marks.node() + " " + NodeMarks.KEY + "=" + NodeMarks.RUNNING);
        marks.removeTaint();
        progress.accept("took the taint off node " + marks.node());
        if (runtimeClass.ensure()) progress.accept("created RuntimeClass " + SysboxRuntimeClass.NAME);
        return Result.INSTALLED;
    }

    public void cleanup() throws IOException {
        marks.unmark();
        progress.accept("took the " + NodeMarks.KEY + " label off node " + marks.node());
        installer.uninstall().lines().forEach(progress);
        marks.removeTaint();
        if (runtimeClass.delete()) progress.accept("deleted RuntimeClass " + SysboxRuntimeClass.NAME);
    }
}
