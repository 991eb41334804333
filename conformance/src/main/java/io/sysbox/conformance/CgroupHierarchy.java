package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A mounted cgroup hierarchy and this process's own cgroup in it: the place a relative
 * cgroupsPath lands in, since runc resolves it under the cgroup of the process that runs it.
 */
public record CgroupHierarchy(Path mountPoint, boolean unified, Set<String> controllers, String ownCgroup) {

    /** Controllers proper (cpu, memory...), not named hierarchies such as name=systemd. */
    public boolean hasControllers() {
        return !unified && controllers.stream().anyMatch(c -> !c.startsWith("name="));
    }

    /** Where PATH (relative to this process's cgroup) is in this hierarchy. */
    public Path resolve(String relativePath) {
        Path dir = mountPoint;
        for (String part : (ownCgroup + "/" + relativePath).split("/")) {
            if (!part.isEmpty()) dir = dir.resolve(part);
        }
        return dir;
    }

    /** Every cgroup hierarchy mounted on this host, v1 and v2. */
    public static List<CgroupHierarchy> all() {
        List<String> ownLines;
        try {
            ownLines = Files.readAllLines(Path.of("/proc/self/cgroup"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/cgroup: " + e.getMessage(), e);
        }
        List<CgroupHierarchy> result = new ArrayList<>();
        for (MountEntry mount : MountEntry.current()) {
            boolean v2 = mount.fsType().equals("cgroup2");
            if (!v2 && !mount.fsType().equals("cgroup")) continue;
            Set<String> options = Set.copyOf(mount.superOptions());
            for (String own : ownLines) {
                String[] f = own.split(":", 3);
                if (f.length < 3) continue;
                boolean matches = v2 ? f[0].equals("0") && f[1].isEmpty()
                        : !f[1].isEmpty() && options.containsAll(Arrays.asList(f[1].split(",")));
                if (!matches) continue;
                String path = f[2];
                // A hierarchy mounted from a sub-cgroup shows paths relative to that mount root.
                if (!mount.root().equals("/") && path.startsWith(mount.root())) path = path.substring(mount.root().length());
                Set<String> controllers = v2 ? Set.of() : Set.copyOf(Arrays.asList(f[1].split(",")));
                result.add(new CgroupHierarchy(mount.mountPoint(), v2, controllers, path));
                break;
            }
        }
        return result;
    }
}
