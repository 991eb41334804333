package io.sysbox.mgr.service;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import io.sysbox.common.proto.BindMount;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.IdMapping;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.sys.Ownership;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idmap.IdmappedMount;
import io.sysbox.mgr.idmap.OwnedNamespace;
import io.sysbox.mgr.network.PodNamespaceHandover;
import io.sysbox.mgr.idmap.UserNamespaceFile;
import io.sysbox.mgr.idrange.AllocationStore;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.idrange.RangeAllocator;
import io.sysbox.mgr.idrange.SubidEntry;
import io.sysbox.mgr.mounts.BindMountPolicy;
import io.sysbox.mgr.testing.HostFixtures;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sysbox.mgr.testing.HostFixtures.mountsUnder;
import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagerServiceTest {
    private static final long POOL_START = 3_100_000_256L;
    private static final long SIZE = 65536;
    private static final SubidEntry POOL = new SubidEntry("sysbox", POOL_START, SIZE * 8);
    private static final ConfigResponse CONFIG = ConfigResponse.newBuilder().setSyscontMode(true).setHonorCaps(true).build();

    private Path base;
    private Path dataRoot;
    private Path rootfs;
    private final List<ManagerService> services = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = HostFixtures.tempDir("mgr-service-");
        dataRoot = Files.createDirectory(base.resolve("data"));
        rootfs = Files.createDirectories(base.resolve("bundle/rootfs"));
        Files.createDirectory(rootfs.resolve("etc"));
        Path su = Files.writeString(rootfs.resolve("su"), "x");
        Files.setAttribute(su, "unix:mode", 04755);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Process p : processes) p.destroyForcibly();
        for (ManagerService s : services) s.close();
        HostFixtures.cleanUp(base);
    }

    private ManagerService service() throws IOException {
        ManagerService service = new ManagerService(dataRoot, CONFIG, new RangeAllocator(POOL, Path.of("/etc/subuid"), POOL, SIZE),
                new AllocationStore(dataRoot.resolve("idranges")), new BindMountPolicy(), LogManager.getLogger("test"));
        services.add(service);
        service.restore();
        return service;
    }

    private PrepareRequest.Builder request(String id) {
        return PrepareRequest.newBuilder().setId(id).setRootfs(rootfs.toString());
    }

    private static IdMapping mapping(long host, long size) {
        return IdMapping.newBuilder().setContainerId(0).setHostId((int) host).setSize((int) size).build();
    }

    private static long host(IdMapping m) {
        return Integer.toUnsignedLong(m.getHostId());
    }

    @Test
    void aSandboxNamingAReservedPodGetsThePodsRangeWhichStaysUntilBothAreReleased() throws Exception {
        ManagerService service = service();
        io.sysbox.common.proto.PodRef pod = io.sysbox.common.proto.PodRef.newBuilder().setUid("pod-1")
                .setNamespace("default").setName("web").build();
        io.sysbox.common.proto.PodRange range = service.reservePodRange(pod);
        PrepareResponse sandbox = service.prepare(request("sb1").setPod(io.sysbox.common.proto.PodRef.newBuilder()
                .setUid("pod-1").setName("web").setNamespace("default")).build());
        assertEquals(range.getUidMapping(), sandbox.getUidMapping());
        PrepareResponse other = service.prepare(request("c2").build());
        assertNotEquals(host(range.getUidMapping()), host(other.getUidMapping()));

        ManagerService restarted = service();
        assertEquals(1, restarted.listPodRanges().getRangesCount(), "durable across a restart");
        restarted.release("sb1");
        restarted.release("c2");
        assertNotEquals(host(range.getUidMapping()), host(restarted.prepare(request("c3").build()).getUidMapping()),
                "the reservation still holds the pod's range");
        assertTrue(restarted.releasePodRange("pod-1").getExisted());
        restarted.release("c3");
        assertEquals(host(range.getUidMapping()), host(restarted.prepare(request("c4").build()).getUidMapping()));
        restarted.release("c4");
    }

    @Test
    void aSandboxsHandedOverPodNamespacesLeaveWithItsReleaseWhileTheRuntimesFilesKeepThemForTheRuntimesTeardown()
            throws Exception {
        ManagerService service = service();
        Process pinned = HostFixtures.namespaceHolder("--net", "--ipc", "--uts");
        processes.add(pinned);
        Map<OwnedNamespace, Path> runtimeFiles = new EnumMap<>(OwnedNamespace.class);
        Path pins = Files.createDirectory(base.resolve("pinned"));
        try {
            for (OwnedNamespace kind : OwnedNamespace.values()) {
                Path file = Files.createFile(pins.resolve(kind.procName()));
                MountApi.mount("/proc/" + pinned.pid() + "/ns/" + kind.procName(), file.toString(), null, MountApi.MS_BIND, null);
                runtimeFiles.put(kind, file);
            }
            assertThrows(PreconditionFailedException.class, () -> service.handOverPodNamespaces("sb", runtimeFiles),
                    "only a prepared container's");
            service.prepare(request("sb").build());
            PodNamespaceHandover.Handed handed = service.handOverPodNamespaces("sb", runtimeFiles);
            Path network = dataRoot.resolve("shifted/sb/network");
            assertEquals(network.resolve("userns"), handed.userns());
            for (OwnedNamespace kind : OwnedNamespace.values()) {
                assertEquals(inode(handed.namespaces().get(kind)), inode(runtimeFiles.get(kind)), kind.procName());
            }
            long podUts = inode(runtimeFiles.get(OwnedNamespace.UTS));

            service.release("sb");
            assertEquals(List.of(), mountsUnder(dataRoot.resolve("shifted")), "the pod's own binds are gone");
            assertFalse(Files.exists(dataRoot.resolve("shifted/sb")));
            assertEquals(podUts, inode(runtimeFiles.get(OwnedNamespace.UTS)), "the runtime's file still names it");
            for (Path file : runtimeFiles.values()) {
                MountApi.umount(file.toString(), MountApi.MNT_DETACH);   // the runtime's teardown: one unmount
                Files.delete(file);
            }
            assertEquals(List.of(), mountsUnder(pins));
        } finally {
            for (var mount : mountsUnder(pins)) MountApi.umount(mount.mountPoint().toString(), MountApi.MNT_DETACH);
        }
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    @Test
    void prepareShiftsRootfsAndBindsAndReleaseLeavesNothingBehind() throws Exception {
        ManagerService service = service();
        Path volume = Files.createDirectory(base.resolve("volume"));
        Ownership.lchown(Files.writeString(volume.resolve("f"), "x").toString(), 1000, 1000);
        Path hosts = Files.writeString(base.resolve("hosts"), "127.0.0.1 localhost\n");
        PrepareResponse response = service.prepare(request("c1")
                .addBindMounts(BindMount.newBuilder().setIndex(4).setSource(volume.toString()).setDestination("/data"))
                .addBindMounts(BindMount.newBuilder().setIndex(5).setSource(hosts.toString()).setDestination("/etc/hosts"))
                .addBindMounts(BindMount.newBuilder().setIndex(6).setSource("/dev/null").setDestination("/dev/kmsg"))
                .build());

        assertEquals(POOL_START, host(response.getUidMapping()));
        assertEquals(POOL_START, host(response.getGidMapping()));
        assertEquals(SIZE, response.getUidMapping().getSize());
        assertEquals(CONFIG, response.getConfig());
        Path shifted = dataRoot.resolve("shifted/c1");
        assertEquals(shifted.resolve("rootfs").toString(), response.getRootfs());
        assertEquals(POOL_START, uid(Path.of(response.getRootfs())), "root-owned rootfs shows as the container's root");
        assertEquals(04000, HostFixtures.mode(Path.of(response.getRootfs(), "su")) & 04000);
        assertEquals(List.of(4, 5, 6), response.getMountsList().stream().map(m -> m.getIndex()).toList());
        assertEquals(shifted.resolve("mounts/4").toString(), response.getMounts(0).getSource());
        assertEquals(POOL_START + 1000, uid(Path.of(response.getMounts(0).getSource(), "f")));
        assertTrue(Files.isRegularFile(Path.of(response.getMounts(1).getSource())));
        assertEquals(POOL_START, uid(Path.of(response.getMounts(1).getSource())));
        assertEquals("", response.getMounts(2).getSource(), "/dev/null is used as it is");
        assertEquals(3, mountsUnder(dataRoot).size());
        assertTrue(mountsUnder(dataRoot).stream().allMatch(m -> m.idmapped()));
        assertEquals(POOL_START, HostFixtures.gid(shifted), "the container's root group may traverse its dir");
        assertTrue(Files.exists(dataRoot.resolve("idranges/c1.json")));
        assertEquals(List.of("c1"), service.list().getContainersList().stream().map(c -> c.getId()).toList());

        assertTrue(service.release("c1").getExisted());
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(shifted));
        assertFalse(Files.exists(dataRoot.resolve("idranges/c1.json")));
        assertEquals(0, service.list().getContainersCount());
        assertFalse(service.release("c1").getExisted(), "idempotent");
        assertEquals("x", Files.readString(volume.resolve("f")), "sources untouched");

        PrepareResponse again = service.prepare(request("c2").build());
        assertEquals(POOL_START, host(again.getUidMapping()), "a deleted container's range is reused");
        service.release("c2");
    }

    @Test
    void containersGetExclusiveRangesAndSharersShareUntilTheLastGoes() throws Exception {
        ManagerService service = service();
        PrepareResponse a = service.prepare(request("a").build());
        PrepareResponse b = service.prepare(request("b").build());
        assertNotEquals(host(a.getUidMapping()), host(b.getUidMapping()));
        PrepareResponse a2 = service.prepare(request("a2").setShareWith("a").build());
        assertEquals(a.getUidMapping(), a2.getUidMapping());

        service.release("a");
        PrepareResponse c = service.prepare(request("c").build());
        assertNotEquals(host(a.getUidMapping()), host(c.getUidMapping()), "a2 still holds a's range");
        service.release("a2");
        PrepareResponse d = service.prepare(request("d").build());
        assertEquals(host(a.getUidMapping()), host(d.getUidMapping()));
        for (String id : List.of("b", "c", "d")) service.release(id);
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    @Test
    void honouredMappingsAreUsedAndAnAlreadyShiftedRootfsIsUsedAsItIs() throws Exception {
        ManagerService service = service();
        long remap = 50_000_000;
        PrepareResponse root = service.prepare(request("r1")
                .addUidMappings(mapping(remap, SIZE)).addGidMappings(mapping(remap, SIZE)).build());
        assertEquals(remap, host(root.getUidMapping()));
        assertEquals(remap, uid(Path.of(root.getRootfs())));

        Ownership.lchown(rootfs.toString(), (int) remap, (int) remap);
        PrepareResponse remapped = service.prepare(request("r2")
                .addUidMappings(mapping(remap, 40000)).addUidMappings(IdMapping.newBuilder()
                        .setContainerId(40000).setHostId((int) remap + 40000).setSize((int) SIZE - 40000))
                .addGidMappings(mapping(remap, SIZE)).build());
        assertEquals(rootfs.toString(), remapped.getRootfs(), "userns-remap already chowned it");
        assertEquals(SIZE, remapped.getUidMapping().getSize(), "contiguous mappings are merged");
        assertEquals(POOL_START, host(service.prepare(request("x").build()).getUidMapping()),
                "honoured mappings outside the pool take nothing from it");
        for (String id : List.of("r1", "r2", "x")) service.release(id);
    }

    /** userns-remap's one mapping is shared; an allocated range, or a part of another mapping, is nobody else's. */
    @Test
    void anHonouredMappingMayEqualAnotherHonouredOneButTouchNoOtherRange() throws Exception {
        ManagerService service = service();
        long remap = 50_000_000;
        service.prepare(request("r1").addUidMappings(mapping(remap, SIZE)).addGidMappings(mapping(remap, SIZE)).build());
        service.prepare(request("r2").addUidMappings(mapping(remap, SIZE)).addGidMappings(mapping(remap, SIZE)).build());
        PreconditionFailedException across = assertThrows(PreconditionFailedException.class, () -> service.prepare(
                request("r3").addUidMappings(mapping(remap + 100, SIZE)).addGidMappings(mapping(remap + 100, SIZE)).build()));
        assertTrue(across.getMessage().matches(".*overlaps the ids of container r[12] .*"), across.getMessage());

        long allocated = host(service.prepare(request("a1").build()).getUidMapping());
        for (long start : List.of(allocated, allocated + 1000, allocated - SIZE + 1)) {
            PreconditionFailedException pool = assertThrows(PreconditionFailedException.class, () -> service.prepare(
                    request("h" + start).addUidMappings(mapping(start, SIZE)).addGidMappings(mapping(start, SIZE)).build()));
            assertTrue(pool.getMessage().contains("overlaps the ids of container a1"), pool.getMessage());
        }
        assertEquals(List.of("a1", "r1", "r2"), service.list().getContainersList().stream().map(c -> c.getId()).sorted().toList(),
                "refused ones leave nothing");
        for (String id : List.of("r1", "r2", "a1")) service.release(id);
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    /** --net=container:X and a pod's containers bring the mapping of the user namespace they join. */
    @Test
    void aContainerJoiningAnAllocatedRangesUserNamespaceMayBringItsMapping() throws Exception {
        ManagerService service = service();
        long allocated = host(service.prepare(request("a1").build()).getUidMapping());
        Process holder = new ProcessBuilder("unshare", "--user", "sleep", "60").start();
        try {
            Path proc = Path.of("/proc", Long.toString(holder.pid()));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (Files.readSymbolicLink(proc.resolve("ns/user")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")))) {
                assertTrue(System.nanoTime() < deadline && holder.isAlive(), "unshare did not make a user namespace");
                Thread.sleep(10);
            }
            Files.writeString(proc.resolve("uid_map"), "0 " + allocated + " " + SIZE + "\n");
            Files.writeString(proc.resolve("gid_map"), "0 " + allocated + " " + SIZE + "\n");

            PrepareResponse joined = service.prepare(request("j1").setJoinedUsernsPid(holder.pid())
                    .addUidMappings(mapping(allocated, SIZE)).addGidMappings(mapping(allocated, SIZE)).build());
            assertEquals(allocated, host(joined.getUidMapping()));
            PreconditionFailedException claimed = assertThrows(PreconditionFailedException.class, () -> service.prepare(
                    request("j2").setJoinedUsernsPid(ProcessHandle.current().pid())
                            .addUidMappings(mapping(allocated, SIZE)).addGidMappings(mapping(allocated, SIZE)).build()));
            assertTrue(claimed.getMessage().contains("overlaps the ids of container a1"), claimed.getMessage());
            for (String id : List.of("j1", "a1")) service.release(id);
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void anOciHooksContainerKeepsItsRootfsGetsItsBindsShiftedAndOverlapsNobody() throws Exception {
        ManagerService service = service();
        long own = 60_000_000;
        Path volume = Files.createDirectory(base.resolve("volume"));
        Ownership.lchown(Files.writeString(volume.resolve("f"), "x").toString(), 1000, 1000);
        Files.createDirectories(rootfs.resolve("var/lib/docker"));
        PrepareResponse hooked = service.prepare(request("h1").setOciHooks(true)
                .addUidMappings(mapping(own, SIZE)).addGidMappings(mapping(own, SIZE))
                .addBindMounts(BindMount.newBuilder().setIndex(3).setSource(volume.toString()).setDestination("/data"))
                .build());
        assertEquals(own, host(hooked.getUidMapping()));
        assertEquals(rootfs.toString(), hooked.getRootfs(), "the runtime mounts its rootfs itself: never shifted");
        assertEquals(0, hooked.getSpecialMountsCount(), "no special directories under an unmodified runtime");
        assertEquals(own + 1000, uid(Path.of(hooked.getMounts(0).getSource(), "f")), "the bind is idmapped");
        assertEquals(1, mountsUnder(dataRoot).size());

        PreconditionFailedException same = assertThrows(PreconditionFailedException.class, () -> service.prepare(
                request("h2").setOciHooks(true).addUidMappings(mapping(own + 100, SIZE))
                        .addGidMappings(mapping(own + 100, SIZE)).build()));
        assertTrue(same.getMessage().contains("overlaps the ids of container h1"), same.getMessage());
        PrepareResponse allocated = service.prepare(request("a1").build());
        PreconditionFailedException pool = assertThrows(PreconditionFailedException.class, () -> service.prepare(
                request("h3").setOciHooks(true).addUidMappings(mapping(host(allocated.getUidMapping()), SIZE))
                        .addGidMappings(mapping(host(allocated.getUidMapping()), SIZE)).build()));
        assertTrue(pool.getMessage().contains("overlaps the ids of container a1"), pool.getMessage());
        InvalidRequestException none = assertThrows(InvalidRequestException.class,
                () -> service.prepare(request("h4").setOciHooks(true).build()));
        assertTrue(none.getMessage().contains("must bring its own uid and gid mappings"), none.getMessage());
        assertEquals(List.of("a1", "h1"), service.list().getContainersList().stream().map(c -> c.getId()).toList(),
                "refused ones leave nothing");

        service.release("h1");
        assertTrue(mountsUnder(dataRoot).stream().noneMatch(m -> m.mountPoint().toString().contains("/h1/")));
        assertFalse(Files.exists(dataRoot.resolve("shifted/h1")));
        service.prepare(request("h2").setOciHooks(true).addUidMappings(mapping(own + 100, SIZE))
                .addGidMappings(mapping(own + 100, SIZE)).build());
        for (String id : List.of("a1", "h2")) service.release(id);
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    @Test
    void badRequestsAreRefusedWithTheRightKindOfError() throws Exception {
        ManagerService service = service();
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("../etc").build()));
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("").build()));
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("r").setRootfs("relative").build()));
        InvalidRequestException slash = assertThrows(InvalidRequestException.class,
                () -> service.prepare(request("r").setRootfs("/tmp/../").build()));
        assertTrue(slash.getMessage().contains("the host's root directory"), slash.getMessage());
        InvalidRequestException hostRoot = assertThrows(InvalidRequestException.class, () -> service.prepare(request("r")
                .addUidMappings(mapping(0, SIZE)).addGidMappings(mapping(0, SIZE)).build()));
        assertTrue(hostRoot.getMessage().contains("host uid 0"), hostRoot.getMessage());
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("r")
                .addUidMappings(mapping(100000, SIZE)).addGidMappings(mapping(200000, SIZE)).build()));
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("r")
                .addUidMappings(mapping(100000, 1000)).addGidMappings(mapping(100000, 1000)).build()));
        assertThrows(InvalidRequestException.class, () -> service.prepare(request("r")
                .addUidMappings(mapping(100000, 40000)).addUidMappings(IdMapping.newBuilder()
                        .setContainerId(40000).setHostId(900000).setSize(30000))
                .addGidMappings(mapping(100000, SIZE)).build()));
        PreconditionFailedException share = assertThrows(PreconditionFailedException.class,
                () -> service.prepare(request("r").setShareWith("nobody").build()));
        assertTrue(share.getMessage().contains("nobody"), share.getMessage());
        assertThrows(PreconditionFailedException.class,
                () -> service.prepare(request("r").setRootfs(base.resolve("missing").toString()).build()));
        assertEquals(0, service.list().getContainersCount());
        assertFalse(Files.exists(dataRoot.resolve("shifted/r")));
    }

    @Test
    void aRefusedBindMountRollsBackEverythingOfThatPrepare() throws Exception {
        ManagerService service = service();
        Path volume = Files.createDirectory(base.resolve("volume"));
        PreconditionFailedException e = assertThrows(PreconditionFailedException.class, () -> service.prepare(request("c1")
                .addBindMounts(BindMount.newBuilder().setIndex(0).setSource(volume.toString()).setDestination("/v"))
                .addBindMounts(BindMount.newBuilder().setIndex(1).setSource("/proc/sys/kernel/hostname")
                        .setDestination("/etc/hn"))
                .build()));
        assertTrue(e.getMessage().contains("/proc/sys/kernel/hostname") && e.getMessage().contains("0700"), e.getMessage());
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(dataRoot.resolve("shifted/c1")));
        assertFalse(Files.exists(dataRoot.resolve("idranges/c1.json")));
        assertEquals(POOL_START, host(service.prepare(request("c2").build()).getUidMapping()), "range given back");
        service.release("c2");
    }

    @Test
    void aRootfsThatCannotBeIdmappedIsReportedClearly() throws Exception {
        ManagerService service = service();
        PreconditionFailedException e = assertThrows(PreconditionFailedException.class,
                () -> service.prepare(request("p").setRootfs("/proc/sys").build()));
        assertTrue(e.getMessage().contains("cannot ID-shift the rootfs") && e.getMessage().contains("proc"), e.getMessage());
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(dataRoot.resolve("shifted/p")));
    }

    @Test
    void aSecondPrepareOfTheSameIdReplacesAFailedAttemptAndKeepsItsRange() throws Exception {
        ManagerService service = service();
        service.prepare(request("other").build());
        PrepareResponse first = service.prepare(request("c1").build());
        PrepareResponse second = service.prepare(request("c1").build());
        assertEquals(first.getUidMapping(), second.getUidMapping());
        assertEquals(1, mountsUnder(dataRoot.resolve("shifted/c1")).size());
        assertEquals(2, service.list().getContainersCount());
        service.release("c1");
        service.release("other");
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "60").start();
        processes.add(p);
        return p;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void aWatchedForegroundRunIsReleasedWhenItsProcessExitsAndRuntimeStateIsGone() throws Exception {
        ManagerService service = service();
        Process run = sleeper();
        Path state = base.resolve("runc-state/c1");
        service.prepare(request("c1").setWatchPid((int) run.pid()).setRuntimeStateDir(state.toString()).build());
        PreconditionFailedException busy = assertThrows(PreconditionFailedException.class,
                () -> service.prepare(request("c1").build()));
        assertTrue(busy.getMessage().contains("still running"), busy.getMessage());

        run.destroyForcibly().waitFor();
        awaitTrue("c1 released", () -> service.list().getContainersCount() == 0);
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(dataRoot.resolve("idranges/c1.json")));
    }

    @Test
    void aPrepareRightAfterTheWatchedProcessDiedSucceedsWhetherOrNotTheWatcherRanYet() throws Exception {
        ManagerService service = service();
        Process run = sleeper();
        PrepareResponse first = service.prepare(request("c1").setWatchPid((int) run.pid())
                .setRuntimeStateDir(base.resolve("runc-state/c1").toString()).build());
        run.destroyForcibly().waitFor();
        PrepareResponse second = service.prepare(request("c1").build());
        assertEquals(first.getUidMapping(), second.getUidMapping());
        assertEquals(1, service.list().getContainersCount());
        assertEquals(1, mountsUnder(dataRoot).size());
        Thread.sleep(700); // a late watcher must not release the new state
        assertEquals(1, service.list().getContainersCount());
        service.release("c1");
    }

    @Test
    void concurrentPreparesGetDistinctRanges() throws Exception {
        ManagerService service = service();
        int n = 8;
        List<Future<PrepareResponse>> futures = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String id = "p" + i;
                futures.add(pool.submit(() -> service.prepare(request(id).build())));
            }
        }
        Set<Long> hosts = new HashSet<>();
        for (var f : futures) hosts.add(host(f.get().getUidMapping()));
        assertEquals(n, hosts.size());
        assertEquals(n, mountsUnder(dataRoot).size());
        for (int i = 0; i < n; i++) service.release("p" + i);
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    @Test
    void aWatchedProcessThatExitsWhileRuntimeStateRemainsKeepsTheContainer() throws Exception {
        ManagerService service = service();
        Process create = sleeper();
        Path state = Files.createDirectories(base.resolve("runc-state/c1"));
        service.prepare(request("c1").setWatchPid((int) create.pid()).setRuntimeStateDir(state.toString()).build());
        create.destroyForcibly().waitFor();
        Thread.sleep(300);
        assertEquals(1, service.list().getContainersCount(), "runc create exited but the container exists");
        PreconditionFailedException exists = assertThrows(PreconditionFailedException.class,
                () -> service.prepare(request("c1").build()));
        assertTrue(exists.getMessage().contains(state.toString()), exists.getMessage());
        assertTrue(service.release("c1").getExisted());
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    @Test
    void aRestartedManagerKeepsRangesReleasesFinishedRunsAndRemovesUnrecordedMounts() throws Exception {
        ManagerService first = service();
        PrepareResponse kept = first.prepare(request("kept").build());
        Process run = sleeper();
        first.prepare(request("finished").setWatchPid((int) run.pid())
                .setRuntimeStateDir(base.resolve("runc-state/finished").toString()).build());
        first.close();
        run.destroyForcibly().waitFor();
        // A Prepare that crashed before recording anything: a mount with no record.
        Path orphan = Files.createDirectories(dataRoot.resolve("shifted/orphan"));
        try (UserNamespaceFile userns = UserNamespaceFile.create(
                new ContainerMapping(new IdRange(POOL_START, SIZE), new IdRange(POOL_START, SIZE)))) {
            IdmappedMount.attach(rootfs, orphan.resolve("rootfs"), userns, false);
        }

        ManagerService second = service();
        assertEquals(List.of("kept"), second.list().getContainersList().stream().map(c -> c.getId()).toList());
        assertFalse(Files.exists(orphan));
        assertFalse(Files.exists(dataRoot.resolve("shifted/finished")));
        assertEquals(1, mountsUnder(dataRoot).size(), "only kept's rootfs is still mounted");
        PrepareResponse fresh = second.prepare(request("fresh").build());
        assertNotEquals(host(kept.getUidMapping()), host(fresh.getUidMapping()));
        second.release("kept");
        second.release("fresh");
        assertTrue(mountsUnder(dataRoot).isEmpty());
    }

    @Test
    void shiftedDirectoriesAreReachableByTheContainersRootGroupOnly() throws Exception {
        ManagerService service = service();
        service.prepare(request("c1").build());
        Path dir = dataRoot.resolve("shifted/c1");
        assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataRoot.resolve("shifted"))));
        service.release("c1");
    }
}
