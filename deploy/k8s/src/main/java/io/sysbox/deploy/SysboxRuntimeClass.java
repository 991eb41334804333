package io.sysbox.deploy;

import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.util.Map;

/**
 * The RuntimeClass {@code sysbox-runc} (node.k8s.io/v1): handler sysbox-runc, scheduled onto nodes
 * labelled {@code sysbox-runtime=running}. Created when missing (a get, then a create), never
 * replaced: an operator's edits of it stay.
 */
public record SysboxRuntimeClass(KubernetesClient client) {
    public static final String NAME = "sysbox-runc";
    public static final String HANDLER = "sysbox-runc";

    public static RuntimeClass definition() {
        return new RuntimeClassBuilder()
                .withNewMetadata().withName(NAME).endMetadata()
                .withHandler(HANDLER)
                .withNewScheduling().withNodeSelector(Map.of(NodeMarks.KEY, NodeMarks.RUNNING)).endScheduling()
                .build();
    }

    /** True when this call created it. */
    public boolean ensure() {
        if (client.runtimeClasses().withName(NAME).get() != null) return false;
        try {
            client.runtimeClasses().resource(definition()).create();
            return true;
        } catch (KubernetesClientException e) {
            // Another node's installer created it in between: the same object.
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) return false;
            throw e;
        }
    }

    /** Deletes it (whoever made it); true when it was there. */
    public boolean delete() {
        return !client.runtimeClasses().withName(NAME).delete().isEmpty();
    }
}
