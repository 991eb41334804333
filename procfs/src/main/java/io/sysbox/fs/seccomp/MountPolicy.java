package io.sysbox.fs.seccomp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.sysbox.fs.seccomp.Intercepted.MS_BIND;
import static io.sysbox.fs.seccomp.Intercepted.MS_MOVE;
import static io.sysbox.fs.seccomp.Intercepted.MS_RDONLY;
import static io.sysbox.fs.seccomp.Intercepted.MS_REC;
import static io.sysbox.fs.seccomp.Intercepted.MS_REMOUNT;
import static io.sysbox.fs.seccomp.Intercepted.PROPAGATION;

/**
 * Decides what becomes of a mount or umount2 made inside a system container (SPEC §7). Every
 * call not named here goes to the kernel, which checks the caller's own credentials: a process
 * without CAP_SYS_ADMIN always does, so nothing is done for it that it could not do itself.
 */
public final class MountPolicy {
    static final int EPERM = 1, EBUSY = 16;
    /**
     * File systems of the host's kernel the kernel refuses to a user namespace, which systemd
     * mounts at boot over /sys/kernel/{config,debug,tracing}: answered with a read-only bind of
     * the directory itself (sysbox-fs's empty one there), so the mount unit succeeds and nothing
     * of the host shows.
     */
    static final Set<String> HOST_ONLY_FILE_SYSTEMS = Set.of("configfs", "debugfs", "tracefs");

    /**
     * The container the caller belongs to.
     *
     * @param initial  its mounts at start
     * @param initPid  its init on the host, whose /proc and /sys a replica copies
     * @param initNow  reads the init's mount table now (where a replica's submounts come from)
     */
    public record Container(InitialMounts initial, long initPid, TableSource initNow, ImmutabilityOptions options) {}

    /** A mount table read when needed. */
    @FunctionalInterface
    public interface TableSource {
        MountTable read() throws IOException;
    }

    private MountPolicy() {}

    public static Verdict decide(Intercepted call, CallerView caller, Container container) throws IOException {
        if (!caller.hasSysAdmin()) return new Verdict.Proceed();
        return switch (call) {
            case Intercepted.Umount u -> umount(u, caller, container);
            case Intercepted.Mount m -> mount(m, caller, container);
        };
    }

    private static Verdict umount(Intercepted.Umount call, CallerView caller, Container container) throws IOException {
        boolean follow = (call.flags() & Intercepted.UMOUNT_NOFOLLOW) == 0;
        Optional<CallerView.Located> target = caller.locate(call.target(), follow);
        // Not a mount point, or nothing there: the kernel's own error (EINVAL, ENOENT).
        if (target.isEmpty() || !target.get().mountRoot()) return new Verdict.Proceed();
        MountEntry mount = target.get().mount();
        if (container.initial().keepsMounted(mount, container.options())) {
            return new Verdict.Refuse(EBUSY, mount.mountPoint() + " is one of the container's initial mounts");
        }
        // A replica (or recursive bind) of /proc or /sys is one mount to its maker: it goes with its submounts.
        if (mount.procOrSys() && caller.mounts().hasChildren(mount)) {
            return new Verdict.Perform(List.of("detach", call.target()));
        }
        return new Verdict.Proceed();
    }

    private static Verdict mount(Intercepted.Mount call, CallerView caller, Container container) throws IOException {
        if (call.has(MS_REMOUNT)) return remount(call, caller, container);
        if (call.has(MS_MOVE) || (call.flags() & PROPAGATION) != 0) return new Verdict.Proceed();
        if (call.has(MS_BIND)) return bind(call, caller);
        String type = call.fsType() == null ? "" : call.fsType();
        if (type.equals("proc")) return replica(call, container);
        // sysfs shows the devices of the mounter's network namespace: the container's own /sys
        // submounts belong only on a sysfs of that namespace. An inner container (inner Docker's
        // runc, in a network namespace of its own) gets the kernel's.
        if (type.equals("sysfs")) {
            return caller.sharesNetworkWith(container.initPid()) ? replica(call, container) : new Verdict.Proceed();
        }
        if (HOST_ONLY_FILE_SYSTEMS.contains(type)) return new Verdict.Perform(List.of("cover", call.target()));
        return new Verdict.Proceed();
    }

    private static Verdict remount(Intercepted.Mount call, CallerView caller, Container container) throws IOException {
        Optional<CallerView.Located> target = caller.locate(call.target(), true);
        if (target.isEmpty()) return new Verdict.Proceed();
        MountEntry mount = target.get().mount();
        if (!call.has(MS_RDONLY)) {
            if (mount.readOnly() && !container.options().allowRemounts() && container.initial().keepsReadOnly(mount)) {
                return new Verdict.Refuse(EPERM, mount.mountPoint() + " was read-only when the container started");
            }
            return new Verdict.Proceed();
        }
        // Read-only propagates: a replica or bind of /proc or /sys becomes read-only with what stands on it.
        if (call.has(MS_BIND) && mount.procOrSys() && caller.mounts().hasChildren(mount)) {
            return new Verdict.Perform(List.of("readonly", call.target()));
        }
        return new Verdict.Proceed();
    }

    /** A bind of /proc or /sys (or of part of them) carries what stands on them, as a recursive bind does. */
    private static Verdict bind(Intercepted.Mount call, CallerView caller) throws IOException {
        if (call.has(MS_REC)) return new Verdict.Proceed();
        Optional<CallerView.Located> source = caller.locate(call.source(), true);
        if (source.isEmpty()) return new Verdict.Proceed();
        MountEntry mount = source.get().mount();
        if (!mount.procOrSys() || !caller.mounts().hasChildren(mount)) return new Verdict.Proceed();
        return new Verdict.Perform(List.of("rbind", call.source(), call.target(), Long.toString(call.flags())));
    }

    /** A new procfs or sysfs instance, with the container's submounts of its own /proc or /sys on it. */
    private static Verdict replica(Intercepted.Mount call, Container container) throws IOException {
        String dir = call.fsType().equals("proc") ? "/proc" : "/sys";
        List<String> job = new ArrayList<>(List.of("replica", call.fsType(),
                call.source() == null || call.source().isEmpty() ? call.fsType() : call.source(),
                Long.toString(call.flags()), call.data() == null || call.data().isEmpty() ? "-" : call.data(),
                call.target(), dir));
        MountTable init = container.initNow().read();
        init.entries().stream()
                .filter(e -> e.mountPoint().equals(dir) && e.fsType().equals(call.fsType()))
                .reduce((first, last) -> last)
                .ifPresent(own -> job.addAll(init.childPaths(own)));
        return new Verdict.Perform(job);
    }
}
