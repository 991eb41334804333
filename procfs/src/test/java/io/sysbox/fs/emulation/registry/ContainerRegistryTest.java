package io.sysbox.fs.emulation.registry;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.proc.sys.SysctlValue;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.emulation.tree.DirectoryNode;
import io.sysbox.fs.emulation.tree.NodeTable;
import io.sysbox.fs.testing.MemoryCgroupFixture;
import io.sysbox.fs.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pods sharing one emulation state, and what the journal lets a restarted sysbox-fs restore,
 * with the real layout of this host and real cgroup files.
 */
class ContainerRegistryTest {
    private Path base;
    private RunDirJournal journal;
    private ContainerLayout layout;
    private final List<String> invalidated = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-registry-");
        journal = new RunDirJournal(base.resolve("sysfs"));
        layout = ContainerLayout.standard();
    }

    @AfterEach
    void tearDown() throws IOException {
        layout.close();
        TempDirs.delete(base);
    }

    private ContainerRegistry registry(NodeTable table) {
        return new ContainerRegistry(table, layout, invalidated::add, () -> 1000, journal,
                (what, e) -> { throw new AssertionError(what, e); });
    }

    private static Container container(String id, long startNanos, Map<String, Path> cgroups) {
        return new Container(id, startNanos, cgroups, 0, 0, 0);
    }

    private long records(String kind) throws IOException {
        try (var files = Files.list(base.resolve("sysfs").resolve(kind))) {
            return files.count();
        }
    }

    @Test
    void aJoiningContainerSharesTheOwnersStateUntilTheLastOfThemGoes() throws Exception {
        ContainerRegistry registry = registry(new NodeTable(0));
        long start = BootClock.nanos() - 5_000_000_000L;
        EmulationState owner = registry.register(container("pause", start, Map.of()), Optional.empty());
        EmulationState member = registry.register(container("app", BootClock.nanos(), Map.of()), Optional.of("pause"));
        assertSame(owner, member, "one state for the pod");
        assertEquals(start, member.startBoottimeNanos(), "the pod's uptime base is its first container's start");
        assertEquals("pause", member.ownerId(), "product_uuid comes from the first container's id");
        EmulationState alone = registry.register(container("other", BootClock.nanos(), Map.of()), Optional.of("nobody"));
        assertNotEquals(owner, alone, "joining a container that is not registered here: a state of its own");
        assertEquals(2, registry.stateCount());
        assertEquals(2, records("states"));

        owner.sysctls().set("proc/sys/kernel/panic", SysctlValue.of(9));
        assertTrue(registry.unregister("pause"));
        assertEquals(Optional.of(owner), registry.stateOf("app"), "the member keeps the pod's state");
        assertEquals(SysctlValue.of(9), registry.stateOf("app").orElseThrow().sysctls().snapshot().get("proc/sys/kernel/panic"));
        assertEquals(2, registry.stateCount());
        assertTrue(invalidated.contains("pause"));

        assertTrue(registry.unregister("app"));
        assertEquals(1, registry.stateCount(), "the last member gone: the pod's state is dropped");
        assertEquals(1, records("states"));
        registry.unregister("other");
        assertEquals(0, registry.stateCount());
        assertEquals(0, records("states"));
        assertEquals(0, records("containers"));
    }

    @Test
    void aRestoredRegistryHasTheSameNodeIdsStatesAndValues() throws Exception {
        NodeTable before = new NodeTable(0);
        ContainerRegistry first = registry(before);
        long start = BootClock.nanos() - 60_000_000_000L;
        EmulationState pod = first.register(container("pause", start, Map.of()), Optional.empty());
        first.register(container("app", BootClock.nanos(), Map.of()), Optional.of("pause"));
        pod.sysctls().set("proc/sys/kernel/printk", SysctlValue.of(4, 4, 1, 7));
        long pauseId = before.root().child("pause").orElseThrow().id();
        DirectoryNode app = (DirectoryNode) before.root().child("app").orElseThrow();
        long appProcId = app.child("proc").orElseThrow().id();

        // A new process: nothing in memory, the same journal.
        NodeTable after = new NodeTable(0);
        ContainerRegistry second = registry(after);
        ContainerRegistry.Restored restored = second.restore();
        assertEquals(List.of("app", "pause"), restored.containers().stream().sorted().toList());
        assertEquals(Map.of(), restored.dropped());
        assertEquals(pauseId, after.root().child("pause").orElseThrow().id());
        assertTrue(after.find(appProcId).isPresent(), "a node id the kernel holds resolves again");
        assertEquals("proc", after.find(appProcId).orElseThrow().name());
        EmulationState restoredPod = second.stateOf("app").orElseThrow();
        assertSame(restoredPod, second.stateOf("pause").orElseThrow(), "still one state for the pod");
        assertEquals(start, restoredPod.startBoottimeNanos());
        assertEquals(SysctlValue.of(4, 4, 1, 7), restoredPod.sysctls().snapshot().get("proc/sys/kernel/printk"));
        assertEquals(1, second.stateCount());
    }

    @Test
    void restoreDropsAContainerWhoseCgroupIsGoneAndAStateNobodyUses() throws Exception {
        MemoryCgroupFixture cgroup = MemoryCgroupFixture.create(64L << 20);
        try {
            ContainerRegistry first = registry(new NodeTable(0));
            first.register(container("gone", BootClock.nanos(), Map.of("memory", cgroup.dir())), Optional.empty());
            first.register(container("kept", BootClock.nanos(), Map.of()), Optional.empty());
        } finally {
            cgroup.close(); // the container ended while no sysbox-fs ran
        }
        ContainerRegistry second = registry(new NodeTable(0));
        ContainerRegistry.Restored restored = second.restore();
        assertEquals(List.of("kept"), restored.containers());
        assertTrue(restored.dropped().containsKey("gone"), restored.toString());
        assertTrue(restored.dropped().get("gone").contains(cgroup.dir().toString()), restored.dropped().get("gone"));
        assertEquals(1, second.stateCount());
        assertEquals(1, records("containers"));
        assertEquals(1, records("states"));
    }
}
