package io.sysbox.setup.cgroup;

import io.sysbox.common.sys.Ownership;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Delegates a container's cgroup to the container's root user before the low-level runtime
 * creates it: the directory and the files that move processes or create children are owned by
 * the container's root, so inner Docker or systemd can build their own subtree; the limit
 * files stay owned by the host's root, so the container cannot raise its own limits. runc finds
 * the directory in place, applies the limits and puts the init process in it; the cgroup
 * namespace it creates there makes /proc/1/cgroup show "/" inside.
 */
public final class CgroupDelegation {
    /** Per cgroup-v2 delegation rules; v1 needs tasks and the v1 procs/knobs too. */
    private static final List<String> V1_DELEGATED = List.of("cgroup.procs", "tasks", "cgroup.clone_children", "notify_on_release");
    private static final List<String> V2_DELEGATED = List.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control");

    private final List<CgroupHierarchy> hierarchies;

    public CgroupDelegation(List<CgroupHierarchy> hierarchies) {
        this.hierarchies = hierarchies;
    }

    /** Relative cgroupsPaths resolve against the cgroups of pid: the process that becomes the engine. */
    public static CgroupDelegation ofProcess(String pid) throws IOException {
        return new CgroupDelegation(readHierarchies(
                Files.readAllLines(Path.of("/proc", pid, "mountinfo")),
                Files.readAllLines(Path.of("/proc", pid, "cgroup"))));
    }

    /**
     * The hierarchies mounted here (this process's mount namespace: the host's) at the cgroups PID
     * is in: a container's init that its runtime already put in its cgroups, whose mount namespace
     * may show other mounts; {@code directories("")} then names the container's own directories.
     */
    public static CgroupDelegation inCgroupsOf(String pid) throws IOException {
        return new CgroupDelegation(readHierarchies(
                Files.readAllLines(Path.of("/proc/self/mountinfo")),
                Files.readAllLines(Path.of("/proc", pid, "cgroup"))));
    }

    /** Mounted hierarchies joined with this process's place in each (from /proc/self/cgroup). */
    static List<CgroupHierarchy> readHierarchies(List<String> mountinfo, List<String> procCgroup) {
        Map<String, String> own = new HashMap<>();
        for (String line : procCgroup) {
            String[] f = line.split(":", 3);
            if (f.length == 3) own.put(f[1], f[2]);
        }
        List<CgroupHierarchy> list = new ArrayList<>();
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (post.length < 3 || !pre[3].equals("/")) continue; // only whole hierarchies
            Path mountPoint = Path.of(unescape(pre[4]));
            if (post[0].equals("cgroup2")) {
                list.add(new CgroupHierarchy(mountPoint, true, "", own.getOrDefault("", "/")));
            } else if (post[0].equals("cgroup")) {
                String controllers = v1Controllers(post[2]);
                String ownPath = own.get(controllers);
                if (ownPath != null) list.add(new CgroupHierarchy(mountPoint, false, controllers, ownPath));
            }
        }
        return list;
    }

    /** The hierarchy name /proc/self/cgroup uses: controllers (or name=X) in super-option order. */
    private static String v1Controllers(String superOptions) {
        List<String> names = new ArrayList<>();
        for (String opt : superOptions.split(",")) {
            if (opt.equals("rw") || opt.equals("ro") || opt.startsWith("release_agent") || opt.equals("xattr")
                    || opt.equals("noprefix") || opt.equals("clone_children") || opt.equals("cpuset_v2_mode")) continue;
            names.add(opt);
        }
        return String.join(",", names);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    public List<CgroupHierarchy> hierarchies() {
        return hierarchies;
    }

    /**
     * The container's directory in each hierarchy, by controller ("memory", "cpu", "cpuset",
     * "name=systemd"..., and "unified" for cgroup v2): what sysbox-fs reads limits and usage from.
     */
    public Map<String, Path> directories(String cgroupsPath) {
        Map<String, Path> dirs = new java.util.LinkedHashMap<>();
        for (CgroupHierarchy h : hierarchies) {
            Path dir = h.directoryFor(cgroupsPath);
            if (h.unified()) {
                dirs.put("unified", dir);
            } else {
                for (String controller : h.controllers().split(",")) dirs.put(controller, dir);
            }
        }
        return dirs;
    }

    /**
     * Creates the container's cgroup directories (and missing parents) and gives the container's
     * root the delegated files. Returns the directories this call created, deepest last, so a
     * caller that fails later can remove exactly those.
     */
    public List<Path> delegate(String cgroupsPath, int rootUid, int rootGid) throws IOException {
        List<Path> created = new ArrayList<>();
        try {
            for (CgroupHierarchy h : hierarchies) {
                Path dir = h.directoryFor(cgroupsPath);
                mkdirs(dir, created);
                Ownership.lchown(dir.toString(), rootUid, rootGid);
                for (String file : h.unified() ? V2_DELEGATED : V1_DELEGATED) {
                    Path f = dir.resolve(file);
                    if (Files.exists(f)) Ownership.lchown(f.toString(), rootUid, rootGid);
                }
            }
        } catch (IOException | RuntimeException e) {
            removeCreated(created);
            throw e;
        }
        return created;
    }

    private static void mkdirs(Path dir, List<Path> created) throws IOException {
        if (Files.isDirectory(dir)) return;
        mkdirs(dir.getParent(), created);
        try {
            Files.createDirectory(dir);
            created.add(dir);
        } catch (FileAlreadyExistsException raced) {
            // another container creating the same parent at the same time
        }
    }

    /** Removes directories a failed attempt created (cgroup dirs go with rmdir only). */
    public static void removeCreated(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException ignored) {
                // not empty: something else uses it now; leave it
            }
        }
    }

}
