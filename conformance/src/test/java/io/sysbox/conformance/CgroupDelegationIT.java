package io.sysbox.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 2, acceptance 7: the container's cgroups are delegated and namespaced. */
class CgroupDelegationIT extends SuiteLifecycle {

    @Test
    void rootInsideCreatesChildCgroupsInEveryV1ControllerAndSeesItselfAtTheRoot() throws IOException {
        List<CgroupHierarchy> controllers = env.cgroups().hierarchies().stream()
                .filter(CgroupHierarchy::hasControllers).toList();
        assertFalse(controllers.isEmpty(), "this host has no cgroup v1 controller hierarchies (expected a hybrid host)");
        String id = containers.startSleeping("cgroup");

        List<String> names = controllers.stream().map(h -> h.mountPoint().getFileName().toString()).toList();
        String script = "for c in " + String.join(" ", names) + "; do"
                + " if mkdir /sys/fs/cgroup/$c/child 2>/tmp/err; then echo \"$c ok\"; else echo \"$c failed: $(cat /tmp/err)\"; fi;"
                + " done";
        String out = containers.exec(id, "sh", "-c", script);
        for (String name : names) {
            assertTrue(out.contains(name + " ok\n"), "mkdir /sys/fs/cgroup/" + name + "/child inside:\n" + out);
        }
        for (CgroupHierarchy h : controllers) {
            Path containerCgroup = env.cgroups().containerDir(h, id);
            assertTrue(hasChildNamedChild(containerCgroup), "the child cgroup made inside should appear on the host under "
                    + containerCgroup + " (the container's own cgroup)");
        }

        String cgroupFile = containers.exec(id, "cat", "/proc/1/cgroup");
        for (String line : cgroupFile.strip().split("\n")) {
            String[] f = line.split(":", 3);
            assertEquals(3, f.length, "unexpected /proc/1/cgroup line: " + line);
            assertEquals("/", f[2], "cgroup path inside should be / in every hierarchy:\n" + cgroupFile);
        }
    }

    private static boolean hasChildNamedChild(Path containerCgroup) throws IOException {
        if (!Files.isDirectory(containerCgroup)) return false;
        try (Stream<Path> walk = Files.walk(containerCgroup)) {
            return walk.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString().equals("child"));
        }
    }
}
