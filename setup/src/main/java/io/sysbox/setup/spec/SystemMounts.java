package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The mount rules of SPEC §3 for a system container: /proc, /sys and /sys/fs/cgroup writable (the
 * user namespace leaves only namespaced resources writable), /dev a tmpfs with /dev/kmsg empty, the
 * tmpfs mounts systemd and read-only roots need, and /lib/modules for inner tools.
 *
 * <p>The spec's own mounts keep their order: the runtime spec says they are mounted in array order,
 * and a spec may rely on a later mount covering an earlier one. Only the mounts added here are
 * placed, each where it neither hides nor is hidden by the mounts around it.
 */
final class SystemMounts {

    private static final String CGROUP = "/sys/fs/cgroup";

    private final List<ObjectNode> mounts = new ArrayList<>();

    private SystemMounts(ArrayNode array) {
        array.forEach(m -> {
            if (m instanceof ObjectNode o) mounts.add(o);
        });
    }

    /**
     * Rewrites MOUNTS in place.
     *
     * @param readOnlyRoot  root.readonly: /sys read-only, writable tmpfs on /run and /tmp
     * @param systemd       the init is systemd: tmpfs on /run and /run/lock
     * @param libModulesDir bind-mounted read-only at the same path when present
     * @param specialMounts the manager's host-backed directories (destination to source) for inner
     *                      Docker, containerd, kubelet...: read-write binds, unless the spec mounts
     *                      something there itself
     */
    static void apply(ArrayNode array, boolean readOnlyRoot, boolean systemd, Optional<String> libModulesDir,
                      Map<String, String> specialMounts) {
        SystemMounts plan = new SystemMounts(array);
        plan.mounts.removeIf(m -> MountNodes.isBelow(MountNodes.destination(m), CGROUP));
        plan.fixKernelFilesystems(readOnlyRoot);
        if (systemd) {
            plan.requireTmpfs("/run", MountNodes::run);
            plan.requireTmpfs("/run/lock", MountNodes::runLock);
        }
        if (readOnlyRoot) {
            plan.addIfAbsent("/run", MountNodes::run);
            plan.addIfAbsent("/tmp", MountNodes::tmp);
        }
        libModulesDir.ifPresent(dir -> plan.addIfAbsent(dir, () -> MountNodes.readOnlyBind(dir)));
        specialMounts.forEach((destination, source) -> plan.addIfAbsent(destination,
                () -> MountNodes.make(destination, "bind", source, "rbind", "rw", "nosuid", "nodev")));
        array.removeAll();
        plan.mounts.forEach(array::add);
    }

    private void fixKernelFilesystems(boolean readOnlyRoot) {
        replace(at("/dev").and(m -> !"tmpfs".equals(MountNodes.type(m))), MountNodes::devTmpfs);
        replace(at(CGROUP).and(m -> !MountNodes.type(m).startsWith("cgroup")), MountNodes::cgroup);
        // The engine's own /dev/kmsg (a host device bind) must not reach the container.
        mounts.removeIf(at("/dev/kmsg"));
        for (ObjectNode m : mounts) {
            String dest = MountNodes.destination(m);
            String type = MountNodes.type(m);
            if (dest.equals("/proc") && type.equals("proc")) {
                MountNodes.removeOption(m, "ro");
            } else if (dest.equals("/sys") && type.equals("sysfs")) {
                MountNodes.removeOption(m, "ro");
                if (readOnlyRoot) MountNodes.addOption(m, "ro");
            } else if (dest.equals(CGROUP)) {
                MountNodes.removeOption(m, "ro");
            }
        }
        addIfAbsent("/proc", MountNodes::proc);
        addIfAbsent("/dev", MountNodes::devTmpfs);
        addIfAbsent("/sys", () -> MountNodes.sysfs(readOnlyRoot));
        addIfAbsent(CGROUP, MountNodes::cgroup);
        insert(MountNodes.kmsg());
    }

    /** A tmpfs the spec already has at DEST is kept; anything else there is replaced by MAKE's tmpfs. */
    private void requireTmpfs(String dest, Supplier<ObjectNode> make) {
        replace(at(dest).and(m -> !"tmpfs".equals(MountNodes.type(m))), make);
        addIfAbsent(dest, make);
    }

    private static Predicate<JsonNode> at(String dest) {
        return m -> MountNodes.destination(m).equals(dest);
    }

    private void replace(Predicate<JsonNode> which, Supplier<ObjectNode> make) {
        mounts.replaceAll(m -> which.test(m) ? make.get() : m);
    }

    private void addIfAbsent(String dest, Supplier<ObjectNode> make) {
        if (mounts.stream().noneMatch(at(dest))) insert(make.get());
    }

    /**
     * The engine mounts in array order, so an added mount goes after the last mount that covers its
     * parent directory (/dev before /dev/kmsg, /sys before /sys/fs/cgroup) and before the first one
     * after that which lies below it (a /dev the spec lacks before the spec's /dev/pts); with neither,
     * at the end, after every mount of the spec.
     */
    private void insert(ObjectNode added) {
        String dest = MountNodes.destination(added);
        int afterParent = 0;
        for (int i = 0; i < mounts.size(); i++) {
            if (MountNodes.isBelow(dest, MountNodes.destination(mounts.get(i)))) afterParent = i + 1;
        }
        int at = mounts.size();
        for (int i = afterParent; i < mounts.size(); i++) {
            if (MountNodes.isBelow(MountNodes.destination(mounts.get(i)), dest)) {
                at = i;
                break;
            }
        }
        mounts.add(at, added);
    }
}
