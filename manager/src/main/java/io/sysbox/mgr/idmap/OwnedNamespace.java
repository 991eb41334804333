package io.sysbox.mgr.idmap;

import java.util.Optional;

/**
 * A kind of namespace that {@link NewNamespaces} can make beside its user namespace, owned by it:
 * the kinds a CRI runtime makes for a pod before the runtime runs (containerd: network; CRI-O's
 * pinns: network, ipc, uts). Named as in {@code /proc/PID/ns/} and in the OCI spec.
 */
public enum OwnedNamespace {
    NET("net", "network"),
    IPC("ipc", "ipc"),
    UTS("uts", "uts");

    private final String procName;
    private final String ociType;

    OwnedNamespace(String procName, String ociType) {
        this.procName = procName;
        this.ociType = ociType;
    }

    /** Its name under /proc/PID/ns/. */
    public String procName() {
        return procName;
    }

    /** Its linux.namespaces[].type. */
    public String ociType() {
        return ociType;
    }

    /** unshare(1)'s option that makes one. */
    String unshareOption() {
        return "--" + procName;
    }

    public static Optional<OwnedNamespace> ofOciType(String type) {
        for (OwnedNamespace kind : values()) {
            if (kind.ociType.equals(type)) return Optional.of(kind);
        }
        return Optional.empty();
    }
}
