package io.sysbox.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sysbox.install.host.DeferredRestarts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 2: deploy/k8s/manifests parse with fabric8 and say what sysbox-deploy
 * needs; the ClusterRole grants exactly the API calls sysbox-deploy makes against the mock API
 * server (install, a second install, an unsupported node, cleanup), nothing more and nothing less.
 */
@EnableKubernetesMockClient(crud = true)
class ManifestsTest {
    private static final Path MANIFESTS = Path.of("manifests");
    /** METHOD /api/v1/RESOURCE[/NAME] or /apis/GROUP/VERSION/RESOURCE[/NAME] (cluster-scoped, as the installer's are). */
    private static final Pattern PATH = Pattern.compile("^/(?:api/v1|apis/([^/]+)/[^/]+)/([^/?]+)(/[^/?]+)?(\\?.*)?$");

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private List<HasMetadata> load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return client.load(in).items();
        }
    }

    private List<HasMetadata> all() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MANIFESTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) objects.addAll(load(f));
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(o -> (T) o).toList();
    }

    @Test
    void theManifestsParseAndHoldWhatTheDaemonSetsNeed() throws IOException {
        List<HasMetadata> objects = all();
        assertEquals(List.of("sysbox-system"), ofKind(objects, Namespace.class).stream().map(n -> n.getMetadata().getName()).toList());
        ServiceAccount account = ofKind(objects, ServiceAccount.class).getFirst();
        ClusterRoleBinding binding = ofKind(objects, ClusterRoleBinding.class).getFirst();
        assertEquals(ofKind(objects, ClusterRole.class).getFirst().getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(account.getMetadata().getName(), binding.getSubjects().getFirst().getName());
        assertEquals(account.getMetadata().getNamespace(), binding.getSubjects().getFirst().getNamespace());
        ConfigMap flags = ofKind(objects, ConfigMap.class).getFirst();
        assertEquals(Set.of("SYSBOX_MGR_FLAGS", "SYSBOX_FS_FLAGS"), flags.getData().keySet());

        List<DaemonSet> daemonSets = ofKind(objects, DaemonSet.class);
        assertEquals(List.of("sysbox-cleanup-k8s", "sysbox-deploy-k8s"),
                daemonSets.stream().map(d -> d.getMetadata().getName()).sorted().toList());
        for (DaemonSet ds : daemonSets) {
            PodSpec pod = ds.getSpec().getTemplate().getSpec();
            String name = ds.getMetadata().getName();
            assertEquals(account.getMetadata().getName(), pod.getServiceAccountName(), name);
            assertTrue(pod.getHostPID(), name + ": nsenter -t 1 needs the host's pid namespace");
            var container = pod.getContainers().getFirst();
            assertTrue(container.getSecurityContext().getPrivileged(), name);
            EnvVar node = container.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst().orElseThrow();
            assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath());
            assertEquals(flags.getMetadata().getName(), container.getEnvFrom().getFirst().getConfigMapRef().getName());
            assertEquals(Set.of("/host/etc", "/host/usr", "/host/var/lib", "/host/run"),
                    Set.copyOf(container.getVolumeMounts().stream().map(m -> m.getMountPath()).toList()));
            assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null),
                    name + " tolerates its own taint");
            assertEquals(name.equals("sysbox-cleanup-k8s"), container.getCommand().contains("--cleanup"), name);
        }
        RuntimeClass rc = ofKind(objects, RuntimeClass.class).getFirst();
        RuntimeClass made = SysboxRuntimeClass.definition();
        assertEquals(made.getMetadata().getName(), rc.getMetadata().getName());
        assertEquals(made.getHandler(), rc.getHandler());
        assertEquals(made.getScheduling().getNodeSelector(), rc.getScheduling().getNodeSelector(),
                "the manifest's RuntimeClass is the one sysbox-deploy creates");
        assertEquals("node.k8s.io/v1", rc.getApiVersion());
    }

    @Test
    void theClusterRoleGrantsExactlyTheCallsTheInstallerMakes() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-1").endMetadata().withNewSpec().endSpec().build()).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("old").endMetadata().withNewSpec().endSpec().build()).create();
        drain();

        FakeNode supported = FakeNode.create(Files.createDirectories(dir.resolve("a")), FakeNode.Runtime.CONTAINERD_1_6, "6.18.0");
        SysboxDeploy deploy = new SysboxDeploy(client, "worker-1", supported.installer(new DeferredRestarts()), l -> {});
        deploy.install();
        deploy.install();
        FakeNode old = FakeNode.create(Files.createDirectories(dir.resolve("b")), FakeNode.Runtime.CRIO, "5.10.0");
        new SysboxDeploy(client, "old", old.installer(new DeferredRestarts()), l -> {}).install();
        deploy.cleanup();
        deploy.cleanup();
        Set<String> used = new TreeSet<>();
        for (String request : drain()) used.add(permission(request));

        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : ofKind(load(MANIFESTS.resolve("10-rbac.yaml")), ClusterRole.class).getFirst().getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) granted.add(group + "/" + resource + " " + verb);
                }
            }
        }
        assertEquals(Set.of("/nodes get", "/nodes patch", "node.k8s.io/runtimeclasses get",
                "node.k8s.io/runtimeclasses create", "node.k8s.io/runtimeclasses delete"), used, "what sysbox-deploy called");
        assertEquals(used, granted, "granted = used");
    }

    /** The RBAC permission a request needs: "GROUP/RESOURCE VERB". */
    private static String permission(String request) {
        String[] parts = request.split(" ", 2);
        Matcher m = PATH.matcher(parts[1]);
        if (!m.matches()) throw new AssertionError("not a cluster-scoped resource request: " + request);
        String group = m.group(1) == null ? "" : m.group(1);
        boolean named = m.group(3) != null;
        String verb = switch (parts[0]) {
            case "GET" -> named ? "get" : (parts[1].contains("watch=true") ? "watch" : "list");
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("unexpected method: " + request);
        };
        return group + "/" + m.group(2) + " " + verb;
    }

    private List<String> drain() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) requests.add(r.getMethod() + " " + r.getPath());
        return requests;
    }
}
