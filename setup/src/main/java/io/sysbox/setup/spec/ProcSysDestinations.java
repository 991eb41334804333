package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Spec mounts may not cover /proc/sys: sysbox-fs's per-container sysctls are bound there (by
 * sysbox-procsys-hook) and the kernel's namespaced ones live there, so a mount over it would hide
 * what the container must see and reach. A destination is judged where it leads inside the
 * rootfs, after the rootfs's own symlinks, as runc resolves it (a link "/x" -> "/proc/sys"
 * puts a mount of "/x" on the container's /proc/sys).
 */
public final class ProcSysDestinations {
    private static final String PROC_SYS = "/proc/sys";
    /** The kernel's own limit on symlinks followed in one lookup. */
    private static final int MAX_LINKS = 40;

    private ProcSysDestinations() {}

    public static void check(Spec spec, Path rootfs) throws InvalidSpecException, IOException {
        int index = 0;
        for (JsonNode mount : spec.mounts()) {
            String destination = mount.path("destination").asText("");
            String inside = resolveInside(rootfs, destination);
            if (inside.equals(PROC_SYS) || inside.startsWith(PROC_SYS + "/")) {
                throw new InvalidSpecException("mounts[" + index + "]: destination " + destination
                        + (inside.equals(destination) ? "" : " (which leads to " + inside + " in the rootfs)")
                        + " is on /proc/sys, where sysbox serves the container's sysctls; remove the mount (a sysctl"
                        + " is set with linux.sysctl or from inside)");
            }
            index++;
        }
    }

    /** DESTINATION as an absolute path inside ROOTFS, the rootfs's symlinks followed within it. */
    static String resolveInside(Path rootfs, String destination) throws IOException {
        Deque<String> todo = new ArrayDeque<>(List.of(destination.split("/")));
        List<String> resolved = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.isEmpty() || name.equals(".")) continue;
            if (name.equals("..")) {
                if (!resolved.isEmpty()) resolved.removeLast();
                continue;
            }
            Path onDisk = rootfs.resolve(String.join("/", resolved)).resolve(name);
            if (!Files.isSymbolicLink(onDisk) || ++links > MAX_LINKS) {
                resolved.add(name);
                continue;
            }
            String target = Files.readSymbolicLink(onDisk).toString();
            if (target.startsWith("/")) resolved.clear();
            List<String> parts = List.of(target.split("/"));
            for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
        }
        return "/" + String.join("/", resolved);
    }
}
