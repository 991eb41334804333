package io.sysbox.setup.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hierarchies read from recorded /proc files of a cgroup v2 host and of a hybrid one; delegation on a v2 tree. */
class CgroupDelegationTest {
    // A cgroup v2 host (systemd.unified_cgroup_hierarchy=1): one cgroup2 mount, "0::" in /proc/self/cgroup.
    private static final List<String> V2_MOUNTINFO = List.of(
            "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw",
            "25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "29 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot");
    private static final List<String> V2_CGROUP = List.of("0::/system.slice/containerd.service");

    // This machine's kind: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified.
    private static final List<String> HYBRID_MOUNTINFO = List.of(
            "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
            "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory",
            "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct",
            "33 25 0:29 /docker /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids");
    private static final List<String> HYBRID_CGROUP = List.of("5:memory:/user", "4:cpu,cpuacct:/user", "0::/user");

    @Test
    void aV2HostHasOneUnifiedHierarchyAndRelativePathsGoUnderTheCallersCgroup() {
        List<CgroupHierarchy> hierarchies = CgroupDelegation.readHierarchies(V2_MOUNTINFO, V2_CGROUP);
        assertEquals(List.of(new CgroupHierarchy(Path.of("/sys/fs/cgroup"), true, "", "/system.slice/containerd.service")),
                hierarchies);
        assertEquals(Map.of("unified", Path.of("/sys/fs/cgroup/system.slice/containerd.service/pod1/c1")),
                new CgroupDelegation(hierarchies).directories("pod1/c1"));
        assertEquals(Map.of("unified", Path.of("/sys/fs/cgroup/kubepods/c1")),
                new CgroupDelegation(hierarchies).directories("/kubepods/c1"));
    }

    @Test
    void aHybridHostHasEachV1HierarchyAndTheUnifiedOneButNoPartialMount() {
        Map<String, Path> dirs = new CgroupDelegation(CgroupDelegation.readHierarchies(HYBRID_MOUNTINFO, HYBRID_CGROUP))
                .directories("c1");
        assertEquals(Path.of("/sys/fs/cgroup/unified/user/c1"), dirs.get("unified"));
        assertEquals(Path.of("/sys/fs/cgroup/memory/user/c1"), dirs.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/user/c1"), dirs.get("cpuacct"));
        assertFalse(dirs.containsKey("pids"), "a bind of a sub-cgroup is not a hierarchy");
    }

    @Test
    void delegationOnAV2TreeGivesRootTheV2DelegationFilesOnly(@TempDir Path root) throws IOException {
        Path parent = Files.createDirectories(root.resolve("system.slice"));
        CgroupDelegation delegation = new CgroupDelegation(List.of(new CgroupHierarchy(root, true, "", "/system.slice")));
        Path dir = parent.resolve("pod/c1");
        // The kernel makes these in a new v2 cgroup; a plain directory stands in for it after mkdir.
        Files.createDirectories(dir);
        for (String file : List.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "memory.max", "cpu.max")) {
            Files.writeString(dir.resolve(file), "");
        }
        List<Path> created = delegation.delegate("pod/c1", 165536, 165536);
        assertEquals(List.of(), created, "the directory existed");
        for (String file : List.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control")) {
            assertEquals(165536, Files.getAttribute(dir.resolve(file), "unix:uid", LinkOption.NOFOLLOW_LINKS), file);
        }
        assertEquals(165536, Files.getAttribute(dir, "unix:uid"));
        for (String limit : List.of("memory.max", "cpu.max")) {
            assertEquals(0, Files.getAttribute(dir.resolve(limit), "unix:uid"), limit + " stays the host's");
        }
        List<Path> fresh = delegation.delegate("pod/c2", 165536, 165536);
        assertEquals(List.of(parent.resolve("pod/c2")), fresh);
        CgroupDelegation.removeCreated(fresh);
        assertTrue(Files.notExists(parent.resolve("pod/c2")));
    }
}
