package io.sysbox.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** This process's own cgroup v1 directories: where its tests may create theirs. */
public final class OwnCgroups {
    private OwnCgroups() {}

    /** The directory of this process's cgroup of {@code controller}: the hierarchy's mount point plus its path in /proc/self/cgroup. */
    public static Path of(String controller) throws IOException {
        String relative = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) relative = f[2];
        }
        if (relative == null) {
            throw new IOException("this process has no cgroup v1 " + controller + " controller (/proc/self/cgroup)");
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root mountpoint options... - fstype source superoptions
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (right[0].equals("cgroup") && List.of(right[2].split(",")).contains(controller)) {
                String root = left[3];
                String inside = relative.startsWith(root) ? relative.substring(root.length()) : relative;
                return Path.of(left[4] + (inside.startsWith("/") || inside.isEmpty() ? "" : "/") + inside);
            }
        }
        throw new IOException("no cgroup v1 " + controller + " hierarchy is mounted (/proc/self/mountinfo)");
    }
}
