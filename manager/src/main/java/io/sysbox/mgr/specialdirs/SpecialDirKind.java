package io.sysbox.mgr.specialdirs;

/**
 * The inner daemons whose storage needs overlayfs (which cannot stack on the container's
 * overlay rootfs), each with the directory it uses and the mode it gives that directory when
 * it creates it. The host directory is DATA_ROOT/{@link #dirName()}/CONTAINER-ID.
 */
public enum SpecialDirKind {
    /** dockerd's data root; the image's daemon.json may move it. dockerd makes it 0710. */
    DOCKER("docker", "/var/lib/docker", 0710),
    /** containerd's overlayfs snapshotter (the rest of /var/lib/containerd stays in the rootfs). */
    CONTAINERD("containerd", "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs", 0700),
    KUBELET("kubelet", "/var/lib/kubelet", 0750),
    K0S("k0s", "/var/lib/k0s", 0755),
    K3S("k3s", "/var/lib/rancher/k3s", 0700),
    RKE2("rke2", "/var/lib/rancher/rke2", 0700),
    BUILDKIT("buildkit", "/var/lib/buildkit", 0700);

    private final String dirName;
    private final String defaultDestination;
    private final int defaultMode;

    SpecialDirKind(String dirName, String defaultDestination, int defaultMode) {
        this.dirName = dirName;
        this.defaultDestination = defaultDestination;
        this.defaultMode = defaultMode;
    }

    /** The directory under the data root that holds this kind's dirs, one per container. */
    public String dirName() {
        return dirName;
    }

    /** Where it is mounted inside when the image does not say otherwise. */
    public String defaultDestination() {
        return defaultDestination;
    }

    /** Its mode when the image has no such directory. */
    public int defaultMode() {
        return defaultMode;
    }
}
