package io.sysbox.deploy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sysbox.install.host.DistInstall;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.NodeSupport;
import io.sysbox.install.host.ServiceControl;
import io.sysbox.install.node.NodeInstaller;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** bin/sysbox-deploy: the DaemonSet's entry point; the Kubernetes client from the pod's service account. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        List<String> argv = Arrays.asList(args);
        if (argv.contains("--help") || argv.contains("-h")) {
            System.out.print(DeployOptions.USAGE);
            return;
        }
        DeployOptions options;
        try {
            options = DeployOptions.parse(argv, System.getenv(), distFromLauncher());
        } catch (IllegalArgumentException e) {
            System.err.println("sysbox-deploy: " + e.getMessage());
            System.exit(2);
            return;
        }
        HostRoot host = new HostRoot(options.hostRoot());
        DistInstall dist = new DistInstall(options.dist(), options.prefix(), DistInstall.SYSTEMD_DIR, options.flags());
        NodeInstaller installer = new NodeInstaller(host, NodeSupport.RUNNING_KERNEL, ServiceControl.forHost(host), dist);
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            SysboxDeploy deploy = new SysboxDeploy(client, options.node(), installer, System.out::println);
            if (options.cleanup()) deploy.cleanup();
            else deploy.install();
        } catch (Exception e) {
            System.err.println("sysbox-deploy: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            System.exit(1);
        }
        if (options.stay()) {
            System.out.println("sysbox-deploy: done; staying (the DaemonSet's pod)");
            new CountDownLatch(1).await();
        }
    }

    static Path distFromLauncher() {
        String libexec = System.getProperty("sysbox.libexec");
        return libexec == null ? Path.of("/opt/sysbox") : Path.of(libexec).toAbsolutePath().normalize().getParent();
    }
}
