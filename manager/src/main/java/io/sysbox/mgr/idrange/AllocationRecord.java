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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocationRecord(String id, Origin origin, IdRange uid, IdRange gid, String shareWith,
                               String rootfs, List<ShiftedMount> mounts, Watch watch) {
    public enum Origin {
        /** A range of the sysbox pool. */
        ALLOCATED,
        /** Mappings the spec brought (userns-remap, CRI userns): they do not come from the pool. */
        HONOURED
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

    public AllocationRecord {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    public ContainerMapping mapping() {
        return new ContainerMapping(uid, gid);
    }
}
