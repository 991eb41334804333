package io.sysbox.cri;

import io.sysbox.cri.api.LinuxPodSandboxConfig;
import io.sysbox.cri.api.LinuxSandboxSecurityContext;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.NamespaceOption;
import io.sysbox.cri.api.PodSandboxConfig;
import io.sysbox.cri.api.PodSandboxMetadata;
import io.sysbox.cri.api.RunPodSandboxRequest;

/** RunPodSandbox requests as the kubelet writes them. */
final class PodRequests {
    private PodRequests() {}

    static RunPodSandboxRequest pod(String uid, String handler, NamespaceMode network) {
        return RunPodSandboxRequest.newBuilder().setRuntimeHandler(handler).setConfig(PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setUid(uid).setNamespace("default").setName("p-" + uid))
                .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setNetwork(network))))).build();
    }

    /** A sysbox-runc pod with private namespaces. */
    static RunPodSandboxRequest sysboxPod(String uid) {
        return pod(uid, "sysbox-runc", NamespaceMode.POD);
    }
}
