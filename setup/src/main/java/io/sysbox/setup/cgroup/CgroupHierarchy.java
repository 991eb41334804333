package io.sysbox.setup.cgroup;

import java.nio.file.Path;

/** One mounted cgroup hierarchy: v1 (its controllers) or the v2 unified one. */
public record CgroupHierarchy(Path mountPoint, boolean unified, String controllers, String ownCgroup) {

    /**
     * The directory a container's cgroupsPath names in this hierarchy, resolved as runc's
     * cgroupfs driver does: absolute paths from the hierarchy root, relative ones under the
     * cgroup of the calling process (the runtime runs as that process after execve).
     */
    public Path directoryFor(String cgroupsPath) {
        String inner = cgroupsPath.startsWith("/") ? cgroupsPath : ownCgroup + "/" + cgroupsPath;
        Path resolved = mountPoint;
        for (String part : inner.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw new IllegalArgumentException("cgroupsPath \"" + cgroupsPath + "\" must not contain ..");
            resolved = resolved.resolve(part);
        }
        return resolved;
    }
}
