package io.sysbox.cri.pods;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.NamespaceOption;

/** sysbox-runc pods get private namespaces: a pod asking for one of the node's is refused before anything is made. */
final class HostNamespaces {
    private HostNamespaces() {}

    static void refuse(String pod, NamespaceOption options) {
        check(pod, "hostNetwork", "network", options.getNetwork());
        check(pod, "hostPID", "pid", options.getPid());
        check(pod, "hostIPC", "ipc", options.getIpc());
    }

    private static void check(String pod, String field, String namespace, NamespaceMode mode) {
        if (mode == NamespaceMode.NODE) {
            throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("pod " + pod
                    + ": sysbox-runc pods get private namespaces: " + field + " shares the host's " + namespace
                    + " namespace, which a system container must not; remove " + field
                    + " or use another RuntimeClass"));
        }
    }
}
