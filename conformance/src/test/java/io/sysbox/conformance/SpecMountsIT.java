package io.sysbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 7: what the OCI runtime-tools suite found about the spec's mounts. They
 * are mounted in the spec's order (the suite reads mountinfo inside the container), and a bind
 * mount asking for an atime mode gets it, although a user namespace locks a bind's atime flags.
 */
class SpecMountsIT extends SuiteLifecycle {

    @Test
    void theSpecsMountsAppearInMountinfoInTheSpecsOrder() throws IOException {
        String id = env.newContainerId("order");
        BusyboxBundle bundle = env.bundle(id);
        ArrayNode mounts = (ArrayNode) bundle.config().get("mounts");
        // Deeper before shallower: a sort by depth would swap them.
        tmpfs(mounts, "/opt/deep/er");
        tmpfs(mounts, "/srv");
        bundle.write();
        List<String> expected = new ArrayList<>();
        for (JsonNode m : mounts) {
            if (!m.path("type").asText().equals("bind")) expected.add(m.path("destination").asText());
        }
        containers.runDetached(bundle, id);

        List<String> mountPoints = new ArrayList<>();
        for (String line : containers.exec(id, "cat", "/proc/self/mountinfo").strip().split("\n")) {
            mountPoints.add(MountEntry.parse(line).mountPoint().toString());
        }
        int previous = -1;
        for (String destination : expected) {
            int at = indexAfter(mountPoints, destination, previous);
            assertTrue(at > previous, destination + " is not mounted after the spec's earlier mounts " + expected
                    + "; mountinfo inside: " + mountPoints);
            previous = at;
        }
    }

    @Test
    void aBindWithAnAtimeModeGetsIt() throws IOException {
        String id = env.newContainerId("atime");
        Path source = env.directory("atime-source");
        BusyboxBundle bundle = env.bundle(id);
        bind(bundle, source, "/mnt/strict", "nosuid", "strictatime");
        bind(bundle, source, "/mnt/noatime", "noatime");
        bind(bundle, source, "/mnt/plain");
        containers.runDetached(bundle.write(), id);

        List<String> strict = mountOptions(id, "/mnt/strict");
        assertFalse(strict.contains("relatime") || strict.contains("noatime"), "strictatime bind: " + strict);
        assertTrue(strict.contains("nosuid"), "strictatime bind: " + strict);
        assertTrue(mountOptions(id, "/mnt/noatime").contains("noatime"), "noatime bind: " + mountOptions(id, "/mnt/noatime"));
        List<String> host = hostMountOptions(source);
        assertEquals(host.contains("relatime"), mountOptions(id, "/mnt/plain").contains("relatime"),
                "a bind without an atime option keeps its source's: host " + host);
    }

    private static int indexAfter(List<String> mountPoints, String destination, int previous) {
        for (int i = previous + 1; i < mountPoints.size(); i++) {
            if (mountPoints.get(i).equals(destination)) return i;
        }
        return -1;
    }

    private List<String> mountOptions(String id, String mountPoint) {
        for (String line : containers.exec(id, "cat", "/proc/self/mountinfo").strip().split("\n")) {
            if (MountEntry.parse(line).mountPoint().toString().equals(mountPoint)) return List.of(line.split(" ")[5].split(","));
        }
        throw new AssertionError(mountPoint + " is not mounted in container " + id);
    }

    /** The per-mount options of the host mount PATH is on (the deepest mount point above it, the last one there). */
    private static List<String> hostMountOptions(Path path) {
        MountEntry on = null;
        for (MountEntry e : MountEntry.current()) {
            if (path.startsWith(e.mountPoint()) && (on == null || e.mountPoint().getNameCount() >= on.mountPoint().getNameCount())) on = e;
        }
        assertTrue(on != null, "no mount holds " + path);
        return List.of(on.line().split(" ")[5].split(","));
    }

    private static void tmpfs(ArrayNode mounts, String destination) {
        ObjectNode m = mounts.addObject().put("destination", destination).put("type", "tmpfs").put("source", "tmpfs");
        m.putArray("options").add("nosuid").add("size=1m");
    }

    /** A bind as runtime-tools writes it: no type, "bind" among the options. */
    private static void bind(BusyboxBundle bundle, Path source, String destination, String... options) {
        ObjectNode m = ((ArrayNode) bundle.config().get("mounts")).addObject()
                .put("destination", destination).put("source", source.toString());
        ArrayNode array = m.putArray("options").add("bind");
        for (String o : options) array.add(o);
    }
}
