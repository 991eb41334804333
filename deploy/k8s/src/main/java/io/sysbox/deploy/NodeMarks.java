package io.sysbox.deploy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The marks sysbox-deploy puts on its node: the taint {@code sysbox-runtime=not-running:NoSchedule}
 * while it installs (no pod lands while the runtime restarts), the label {@code sysbox-runtime}
 * (running, unsupported or failed: the RuntimeClass selects nodes with "running"), and, when not
 * running, an annotation with the reason. Each change is one read and one patch of the Node
 * (fabric8's edit), and nothing is patched when the node has the marks already.
 */
public record NodeMarks(KubernetesClient client, String node) {
    public static final String KEY = "sysbox-runtime";
    public static final String RUNNING = "running";
    public static final String UNSUPPORTED = "unsupported";
    public static final String FAILED = "failed";
    public static final String NOT_RUNNING = "not-running";
    public static final String TAINT_EFFECT = "NoSchedule";
    /** Why the node is not running sysbox-runc, in a sentence. */
    public static final String REASON_ANNOTATION = "sysbox-runtime/reason";

    public static Taint taint() {
        return new TaintBuilder().withKey(KEY).withValue(NOT_RUNNING).withEffect(TAINT_EFFECT).build();
    }

    public Node get() {
        Node n = client.nodes().withName(node).get();
        if (n == null) {
            throw new IllegalStateException("node " + node + " (NODE_NAME) does not exist: the DaemonSet passes"
                    + " spec.nodeName through the downward API");
        }
        return n;
    }

    public boolean isTainted(Node n) {
        return n.getSpec() != null && n.getSpec().getTaints() != null
                && n.getSpec().getTaints().stream().anyMatch(NodeMarks::isOurs);
    }

    public String label(Node n) {
        Map<String, String> labels = n.getMetadata().getLabels();
        return labels == null ? null : labels.get(KEY);
    }

    public void addTaint() {
        if (isTainted(get())) return;
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().addToTaints(taint()).endSpec().build());
    }

    public void removeTaint() {
        if (!isTainted(get())) return;
        client.nodes().withName(node).edit(n -> {
            List<Taint> kept = n.getSpec().getTaints().stream().filter(t -> !isOurs(t)).toList();
            return new NodeBuilder(n).editSpec().withTaints(kept).endSpec().build();
        });
    }

    /** Sets the label to VALUE and the reason annotation to REASON (null: no annotation). */
    public void mark(String value, String reason) {
        Node current = get();
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        String oldReason = annotations == null ? null : annotations.get(REASON_ANNOTATION);
        if (value.equals(label(current)) && Objects.equals(reason, oldReason)) return;
        client.nodes().withName(node).edit(n -> {
            Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
            labels.put(KEY, value);
            Map<String, String> notes = new HashMap<>(n.getMetadata().getAnnotations() == null ? Map.of()
                    : n.getMetadata().getAnnotations());
            if (reason == null) notes.remove(REASON_ANNOTATION);
            else notes.put(REASON_ANNOTATION, reason);
            return new NodeBuilder(n).editMetadata().withLabels(labels).withAnnotations(notes).endMetadata().build();
        });
    }

    /** Takes the label and the reason annotation away. */
    public void unmark() {
        Node current = get();
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        if (label(current) == null && (annotations == null || !annotations.containsKey(REASON_ANNOTATION))) return;
        client.nodes().withName(node).edit(n -> {
            Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
            labels.remove(KEY);
            Map<String, String> notes = new HashMap<>(n.getMetadata().getAnnotations() == null ? Map.of()
                    : n.getMetadata().getAnnotations());
            notes.remove(REASON_ANNOTATION);
            return new NodeBuilder(n).editMetadata().withLabels(labels).withAnnotations(notes).endMetadata().build();
        });
    }

    private static boolean isOurs(Taint t) {
        return KEY.equals(t.getKey()) && TAINT_EFFECT.equals(t.getEffect());
    }
}
