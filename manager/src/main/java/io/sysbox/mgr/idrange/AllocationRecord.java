package io.sysbox.mgr.idrange;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the manager remembers about a prepared container, durably: enough to keep its ids
 * reserved across a manager restart, to answer List, to resume watching a foreground `run`,
 * and to release it later.
 *
 * @param origin    how the mapping was obtained (for a shared one: how its owner obtained it)
 * @param shareWith the container whose mapping this one shares (pods, --net=container:X), or null
 * @param rootfs    the rootfs path handed to the low-level runtime (the idmapped clone, or the
 *                  original when it needed no shifting)
 * @param mounts    bind mounts whose source was replaced by an idmapped clone
 * @param watch     the process to watch for a foreground `run`, or null
 * @param overlay   the overlay rootfs whose upper layer is lent to the container's host root
 *                  (to give back on release), or null
 * @param pending   written before Prepare changes anything outside the data root (the upper
 *                  layer's owners), so a manager that dies half-way leaves a trace; a pending
 *                  record was never answered, so nobody uses it and a restarted manager
 *                  undoes it at once. Records of older managers have neither field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocationRecord(String id, Origin origin, IdRange uid, IdRange gid, String shareWith,
                               String rootfs, List<ShiftedMount> mounts, Watch watch, ShiftedOverlay overlay,
                               boolean pending) {
    public enum Origin {
        /** A range of the sysbox pool. */
        ALLOCATED,
        /** Mappings the spec brought (userns-remap, CRI userns): they do not come from the pool. */
        HONOURED,
        /** A pod's range that sysbox-cri reserved (io.sysbox.mgr.pods): the reservation holds it too. */
        RESERVED
    }

    /** A bind mount whose spec source the runtime must replace with source (an idmapped clone). */
    public record ShiftedMount(int index, String source) {}

    /**
     * @param startTime the process's start time in clock ticks (field 22 of /proc/PID/stat), so a
     *                  restarted manager does not mistake a new process with a reused pid for it
     * @param runtimePrivateDir the runtime's own per-container directory, removed with the rest
     *                  (nobody else is left to do it after a foreground run)
     */
    public record Watch(int pid, long startTime, String runtimeStateDir, String runtimePrivateDir) {}

    /**
     * An overlay rootfs whose lower layers are idmapped and whose upper layer is owned by the
     * container's host ids while it exists.
     *
     * @param lowerDirs top-most first, as mounted (for people reading the record)
     * @param workDir   the engine's overlay workdir, which holds sysbox's own (see io.sysbox.mgr.rootfs.SysboxWorkDir)
     */
    public record ShiftedOverlay(List<String> lowerDirs, String upperDir, String workDir) {
        public ShiftedOverlay {
            lowerDirs = lowerDirs == null ? List.of() : List.copyOf(lowerDirs);
        }
    }

    public AllocationRecord {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** A complete record of a container whose rootfs is not a lent overlay. */
    public AllocationRecord(String id, Origin origin, IdRange uid, IdRange gid, String shareWith,
                            String rootfs, List<ShiftedMount> mounts, Watch watch) {
        this(id, origin, uid, gid, shareWith, rootfs, mounts, watch, null, false);
    }

    public ContainerMapping mapping() {
        return new ContainerMapping(uid, gid);
    }
}
