package io.sysbox.mgr.pods;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

/**
 * A range reserved for a pod by sysbox-cri before its sandbox exists, durably under
 * DATA_ROOT/podranges/UID.json: a restarted manager keeps it reserved.
 */
public record PodRangeRecord(String podUid, String podNamespace, String podName, IdRange uid, IdRange gid) {
    public ContainerMapping mapping() {
        return new ContainerMapping(uid, gid);
    }

    /**
     * Whether a spec naming this pod (by uid, or by namespace and name) is this pod's: every
     * identity field the spec gives must agree, so one field alone cannot name another pod's range.
     */
    public boolean matches(String uid, String namespace, String name) {
        boolean byUid = !uid.isEmpty() && uid.equals(podUid);
        boolean byName = !namespace.isEmpty() && !name.isEmpty() && namespace.equals(podNamespace) && name.equals(podName);
        if (!byUid && !byName) return false;
        if (!uid.isEmpty() && !uid.equals(podUid)) return false;
        if (!namespace.isEmpty() && !namespace.equals(podNamespace)) return false;
        return name.isEmpty() || name.equals(podName);
    }
}
