package io.sysbox.deploy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 1: sysbox-deploy against fabric8's mock API server (CRUD mode) and a fake
 * host root with containerd 1.6's, containerd 2's and CRI-O's configs.
 */
@EnableKubernetesMockClient(crud = true)
class SysboxDeployTest {
    static final String NODE = "worker-1";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void createNode() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .withLabels(Map.of("kubernetes.io/hostname", NODE)).endMetadata()
                .withNewSpec().endSpec().build()).create();
    }

    private Node node() {
        return client.nodes().withName(NODE).get();
    }

    private List<RuntimeClass> runtimeClasses() {
        return client.runtimeClasses().list().getItems();
    }

    /** The requests the server got since the last call, as "METHOD path". */
    private List<String> drainRequests() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) requests.add(r.getMethod() + " " + r.getPath());
        return requests;
    }

    @ParameterizedTest
    @EnumSource(FakeNode.Runtime.class)
    void installsOnceTaintedThenLabelledAndCleanupPutsEveryByteBack(FakeNode.Runtime runtime) throws Exception {
        FakeNode fake = FakeNode.create(dir, runtime, "6.18.44-fc-v657");
        NodeMarks marks = new NodeMarks(client, NODE);
        ObservedServices services = new ObservedServices(marks);
        List<String> progress = new ArrayList<>();
        SysboxDeploy deploy = new SysboxDeploy(client, NODE, fake.installer(services), progress::add);
        Map<String, String> before = fake.snapshot();
        drainRequests();

        assertEquals(SysboxDeploy.Result.INSTALLED, deploy.install());

        assertEquals(1, fake.handlerTables(), "one sysbox-runc handler, in one file");
        String restart = runtime == FakeNode.Runtime.CRIO ? "restart crio.service" : "restart containerd.service";
        assertEquals(List.of("daemon-reload (tainted true, label null)", "restart sysboxd.service (tainted true, label null)",
                restart + " (tainted true, label null)"), services.events(),
                "the daemons and the runtime restart while the node is tainted and not yet labelled");
        int tainted = indexOf(progress, "tainted node " + NODE);
        int labelled = indexOf(progress, "labelled node " + NODE + " sysbox-runtime=running");
        int untainted = indexOf(progress, "took the taint off node " + NODE);
        assertTrue(tainted < labelled && labelled < untainted, "taint, install, label, untaint: " + progress);
        assertEquals("running", node().getMetadata().getLabels().get("sysbox-runtime"));
        assertEquals("worker-1", node().getMetadata().getLabels().get("kubernetes.io/hostname"), "other labels stay");
        assertFalse(marks.isTainted(node()), "taint removed: " + node().getSpec().getTaints());
        assertEquals(1, runtimeClasses().size());
        RuntimeClass rc = runtimeClasses().getFirst();
        assertEquals("sysbox-runc", rc.getMetadata().getName());
        assertEquals("sysbox-runc", rc.getHandler());
        assertEquals(Map.of("sysbox-runtime", "running"), rc.getScheduling().getNodeSelector());
        assertTrue(Files.isSymbolicLink(fake.root().resolve("usr/local/sbin/sysbox-runc")), "binaries installed");
        assertTrue(Files.isSymbolicLink(fake.root().resolve("etc/systemd/system/multi-user.target.wants/sysboxd.service")));
        String hooksFile = Files.readString(fake.root().resolve("usr/local/lib/sysbox/share/containers/oci/hooks.d/sysbox.json"));
        assertTrue(hooksFile.contains("\"path\" : \"/usr/local/lib/sysbox/libexec/sysbox-oci-hook\""),
                "the OCI hooks file names the installed hook: " + hooksFile);
        List<String> firstRun = drainRequests();
        assertEquals(1, firstRun.stream().filter(r -> r.startsWith("POST /apis/node.k8s.io/v1/runtimeclasses")).count(), firstRun.toString());

        Map<String, String> installed = fake.snapshot();
        assertEquals(SysboxDeploy.Result.UP_TO_DATE, deploy.install());
        assertEquals(installed, fake.snapshot(), "a second run changes no byte");
        assertEquals(3, services.events().size(), "and restarts nothing: " + services.events());
        assertEquals(1, fake.handlerTables());
        assertEquals(1, runtimeClasses().size());
        List<String> secondRun = drainRequests();
        assertTrue(secondRun.stream().noneMatch(r -> r.startsWith("POST") || r.startsWith("PATCH")),
                "the second run reads only: " + secondRun);

        deploy.cleanup();

        assertEquals(before, fake.snapshot(), "cleanup restores every file byte for byte (and removes what it added)");
        assertNull(node().getMetadata().getLabels().get("sysbox-runtime"));
        assertFalse(marks.isTainted(node()));
        assertEquals(List.of(), runtimeClasses());
        assertEquals("worker-1", node().getMetadata().getLabels().get("kubernetes.io/hostname"));
        assertTrue(services.events().contains("stop sysboxd.service (tainted false, label null)"), services.events().toString());
        assertTrue(services.events().contains(restart + " (tainted false, label null)"),
                "the runtime restarts on its restored config: " + services.events());
    }

    @Test
    void anOldKernelGetsTheReasonLabelAndNoFileChanges() throws Exception {
        FakeNode fake = FakeNode.create(dir, FakeNode.Runtime.CONTAINERD_1_6, "5.4.0-150-generic");
        ObservedServices services = new ObservedServices(new NodeMarks(client, NODE));
        Map<String, String> before = fake.snapshot();

        assertEquals(SysboxDeploy.Result.UNSUPPORTED,
                new SysboxDeploy(client, NODE, fake.installer(services), line -> {}).install());

        assertEquals(before, fake.snapshot(), "nothing on the node changed");
        assertEquals(List.of(), services.events());
        assertEquals("unsupported", node().getMetadata().getLabels().get("sysbox-runtime"));
        String reason = node().getMetadata().getAnnotations().get("sysbox-runtime/reason");
        assertTrue(reason.startsWith("kernel 5.4 is older than 5.19"), reason);
        assertFalse(new NodeMarks(client, NODE).isTainted(node()), "never tainted");
        assertEquals(List.of(), runtimeClasses(), "no RuntimeClass for a node that cannot run it");
    }

    @Test
    void aNodeWithoutAKnownRuntimeGetsTheReasonLabel() throws Exception {
        FakeNode fake = FakeNode.create(dir, FakeNode.Runtime.CRIO, "6.18.0");
        for (String p : List.of("etc/crio/crio.conf", "usr/bin/crio")) Files.delete(fake.root().resolve(p));
        Files.delete(fake.root().resolve("etc/crio/crio.conf.d"));
        Map<String, String> before = fake.snapshot();

        assertEquals(SysboxDeploy.Result.UNSUPPORTED,
                new SysboxDeploy(client, NODE, fake.installer(new ObservedServices(new NodeMarks(client, NODE))), l -> {}).install());

        assertEquals(before, fake.snapshot());
        assertTrue(node().getMetadata().getAnnotations().get("sysbox-runtime/reason")
                .startsWith("no CRI runtime the installer knows (containerd or CRI-O) on this node"));
        // Cleanup of a node that was never installed takes the marks away and changes no file.
        new SysboxDeploy(client, NODE, fake.installer(new ObservedServices(new NodeMarks(client, NODE))), l -> {}).cleanup();
        assertNull(node().getMetadata().getLabels().get("sysbox-runtime"));
        assertNull(node().getMetadata().getAnnotations().get("sysbox-runtime/reason"));
        assertEquals(before, fake.snapshot());
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
        throw new AssertionError("no line starting with \"" + prefix + "\" in " + lines);
    }
}
