package io.sysbox.mgr.service;

import io.sysbox.common.proto.BindMount;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.IdMapping;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.mgr.idmap.MountInfo;
import io.sysbox.mgr.idmap.UserNamespaceFile;
import io.sysbox.mgr.idrange.AllocationRecord;
import io.sysbox.mgr.idrange.AllocationStore;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.idrange.RangeAllocator;
import io.sysbox.mgr.idrange.SubidEntry;
import io.sysbox.mgr.mounts.BindMountPolicy;
import io.sysbox.mgr.rootfs.IdShift;
import io.sysbox.mgr.rootfs.OverlayMountTable;
import io.sysbox.mgr.rootfs.OverlayRootfsShifter;
import io.sysbox.mgr.rootfs.TreeOwnershipShift;
import io.sysbox.mgr.testing.FakeDockerLayer;
import io.sysbox.mgr.testing.HostFixtures;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sysbox.mgr.testing.HostFixtures.gid;
import static io.sysbox.mgr.testing.HostFixtures.mode;
import static io.sysbox.mgr.testing.HostFixtures.mountsUnder;
import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prepare/Release of an overlay rootfs as Docker hands it over (SPEC §4, issue 3): image
 * layers idmapped and never modified, the container layer lent to the container's host root
 * and given back, also by a manager that did not prepare it.
 */
class ManagerServiceOverlayTest {
    private static final long POOL_START = 3_100_000_256L;
    private static final long SIZE = 65536;
    private static final SubidEntry POOL = new SubidEntry("sysbox", POOL_START, SIZE * 8);
    private static final ConfigResponse CONFIG = ConfigResponse.newBuilder().setSyscontMode(true).build();
    private static final String CAPS = "security.capability";

    private Path base;
    private Path dataRoot;
    private FakeDockerLayer docker;
    private final List<ManagerService> services = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = HostFixtures.tempDir("mgr-overlay-");
        // The container's root writes through the shifted rootfs below: it must reach it.
        Files.setAttribute(base, "unix:mode", 0755);
        dataRoot = Files.createDirectory(base.resolve("data"));
        docker = FakeDockerLayer.create(base.resolve("docker"), "");
    }

    @AfterEach
    void tearDown() throws IOException {
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
        return PrepareRequest.newBuilder().setId(id).setRootfs(docker.merged.toString());
    }

    private static IdMapping mapping(long host) {
        return IdMapping.newBuilder().setContainerId(0).setHostId((int) host).setSize((int) SIZE).build();
    }

    private static ContainerMapping containerMapping(long host) {
        return new ContainerMapping(new IdRange(host, SIZE), new IdRange(host, SIZE));
    }

    /** Runs a shell command as host uid:gid id (the container's root, seen from the host). */
    private static void runAs(long id, String script) throws IOException {
        FakeDockerLayer.run(Path.of("/"), "setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "sh", "-c", script);
    }

    /**
     * "uid gid mode" of each path as a process in a user namespace with the container's mapping
     * sees it: what the container's own processes see.
     */
    private static List<String> statInside(long h, Path... paths) throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare", "--user", "--", "sh", "-c",
                "echo ready && read go && stat -c '%u %g %a' \"$@\"", "sh"));
        for (Path p : paths) command.add(p.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            Path proc = Path.of("/proc", Long.toString(process.pid()));
            Files.writeString(proc.resolve("uid_map"), "0 " + h + " " + SIZE + "\n");
            Files.writeString(proc.resolve("gid_map"), "0 " + h + " " + SIZE + "\n");
            process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            List<String> lines = out.lines().toList();
            assertEquals(0, process.waitFor(), String.join("\n", lines));
            return lines;
        } finally {
            process.destroyForcibly();
        }
    }

    private void assertImageLayersUntouched() throws IOException {
        assertEquals(0, uid(docker.lower1.resolve("etc/passwd")));
        assertEquals("root:x:0:0::/root:/bin/sh\n", Files.readString(docker.lower1.resolve("etc/passwd")));
        assertEquals(0, uid(docker.lower1.resolve("bin/su")));
        assertEquals(04755, mode(docker.lower1.resolve("bin/su")) & 07777);
        assertArrayEquals(FakeDockerLayer.NET_RAW,
                ExtendedAttributes.get(docker.lower1.resolve("bin/ping"), CAPS).orElseThrow());
        assertEquals(1000, uid(docker.lower2.resolve("home/user/notes")));
        assertEquals(1000, uid(docker.lower2.resolve("home/user")));
    }

    /** The container layer as Docker made it: root's files root-owned, the user's 1000, privileges intact. */
    private void assertUpperLayerIsDockers() throws IOException {
        assertEquals(0, uid(docker.upper));
        assertEquals(0, uid(docker.upper.resolve("etc/hostname")));
        assertEquals(1000, uid(docker.upper.resolve("home/user/todo")));
        assertEquals(1000, gid(docker.upper.resolve("home/user/todo")));
        assertEquals(0, uid(docker.upper.resolve("bin/upper-su")));
        assertEquals(04755, mode(docker.upper.resolve("bin/upper-su")) & 07777);
        assertArrayEquals(FakeDockerLayer.NET_RAW,
                ExtendedAttributes.get(docker.upper.resolve("bin/upper-ping"), CAPS).orElseThrow());
        assertEquals(0, uid(docker.upper.resolve("link")));
        assertFalse(Files.exists(docker.work.resolve("sysbox")), "sysbox's workdir is gone from Docker's");
    }

    @Test
    void anOverlayRootfsIsShiftedByItsLayersAndGivenBackOnRelease() throws Exception {
        ManagerService service = service();
        PrepareResponse response = service.prepare(request("c1").build());
        long h = Integer.toUnsignedLong(response.getUidMapping().getHostId());
        assertEquals(POOL_START, h);
        Path rootfs = dataRoot.resolve("shifted/c1/rootfs");
        assertEquals(rootfs.toString(), response.getRootfs());

        List<MountInfo> mounts = mountsUnder(dataRoot);
        assertEquals(3, mounts.size(), "the new overlay and an idmapped clone per lower layer: " + mounts);
        assertEquals(List.of(rootfs), mounts.stream().filter(m -> m.fsType().equals("overlay")).map(MountInfo::mountPoint).toList());
        assertTrue(mounts.stream().filter(m -> !m.fsType().equals("overlay")).allMatch(MountInfo::idmapped));
        assertTrue(MountInfo.isMountPoint(docker.merged), "Docker's own overlay stays where it was");

        // The container's view (from the host: H is the container's root): lower layers through the idmap...
        assertEquals(h, uid(rootfs.resolve("etc/passwd")));
        assertEquals(h, uid(rootfs.resolve("bin/su")));
        assertEquals(04755, mode(rootfs.resolve("bin/su")) & 07777);
        assertEquals(h + 1000, uid(rootfs.resolve("home/user/notes")));
        // ...and the upper layer by its owners on disk.
        assertEquals(h, uid(rootfs));
        assertEquals(h, uid(docker.upper));
        assertEquals(h, uid(docker.upper.resolve("etc/hostname")));
        assertEquals(h + 1000, uid(docker.upper.resolve("home/user/todo")));
        assertEquals(h + 1000, gid(docker.upper.resolve("home/user/todo")));
        assertEquals(h, uid(docker.upper.resolve("bin/upper-su")));
        assertEquals(04755, mode(docker.upper.resolve("bin/upper-su")) & 07777, "setuid kept");
        assertArrayEquals(FakeDockerLayer.NET_RAW,
                ExtendedAttributes.get(docker.upper.resolve("bin/upper-ping"), CAPS).orElseThrow(), "capabilities kept");
        assertImageLayersUntouched();
        assertEquals(List.of("0 0 755", "0 0 644", "0 0 4755", "1000 1000 644", "0 0 644", "1000 1000 644", "0 0 4755"),
                statInside(h, rootfs, rootfs.resolve("etc/passwd"), rootfs.resolve("bin/su"),
                        rootfs.resolve("home/user/notes"), rootfs.resolve("etc/hostname"), rootfs.resolve("home/user/todo"),
                        rootfs.resolve("bin/upper-su")),
                "inside, image and container files alike are root's (and the user's), setuid bits kept");

        // The container's root writes: new files, a copy-up of an image file, a new directory.
        runAs(h, "echo new > " + rootfs.resolve("etc/created") + " && echo more >> " + rootfs.resolve("etc/passwd")
                + " && mkdir " + rootfs.resolve("home/other"));
        assertEquals(h, uid(docker.upper.resolve("etc/created")));
        assertEquals(h, uid(docker.upper.resolve("etc/passwd")), "copied up as the container's root");
        assertEquals(h, uid(docker.upper.resolve("home/other")));
        assertImageLayersUntouched();
        AllocationRecord record = new AllocationStore(dataRoot.resolve("idranges")).loadAll().getFirst();
        assertEquals(docker.upper.toString(), record.overlay().upperDir());
        assertFalse(record.pending());

        assertTrue(service.release("c1").getExisted());
        assertTrue(mountsUnder(dataRoot).isEmpty(), "nothing mounted under the data root: " + mountsUnder(dataRoot));
        assertFalse(Files.exists(dataRoot.resolve("shifted/c1")));
        assertUpperLayerIsDockers();
        assertEquals(0, uid(docker.upper.resolve("etc/created")), "what the container wrote is root's for docker commit");
        assertEquals(0, uid(docker.upper.resolve("etc/passwd")));
        assertEquals(0, uid(docker.upper.resolve("home/other")));
        assertImageLayersUntouched();
        assertTrue(MountInfo.isMountPoint(docker.merged));

        // docker start after docker stop: the same layer is lent again, possibly to another range.
        service.prepare(request("c1").build());
        assertEquals(h, uid(docker.upper.resolve("etc/created")));
        service.release("c1");
        assertUpperLayerIsDockers();
    }

    @Test
    void aRestartedManagerGivesBackTheUpperLayerOfAContainerItDidNotPrepare() throws Exception {
        ManagerService first = service();
        long h = Integer.toUnsignedLong(first.prepare(request("c1").build()).getUidMapping().getHostId());
        // kill -9: nothing of the first manager's memory survives, its mounts and records do.
        first.close();

        ManagerService second = service();
        assertEquals(List.of("c1"), second.list().getContainersList().stream().map(c -> c.getId()).toList());
        assertEquals(h, uid(docker.upper.resolve("etc/hostname")), "the container still exists: its layer stays lent");
        assertEquals(3, mountsUnder(dataRoot).size());
        assertTrue(second.release("c1").getExisted());
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertUpperLayerIsDockers();
        assertImageLayersUntouched();
    }

    @Test
    void aPrepareThatDiedAfterLendingTheUpperLayerIsUndoneWhenTheManagerStarts() throws Exception {
        // The state a manager killed in the middle of Prepare leaves: a pending record, the upper
        // layer shifted, the clones and the overlay mounted, no answer ever sent.
        ContainerMapping mapping = containerMapping(POOL_START);
        Path dir = Files.createDirectories(dataRoot.resolve("shifted/c1/lower"));
        new AllocationStore(dataRoot.resolve("idranges")).save(new AllocationRecord("c1", AllocationRecord.Origin.ALLOCATED,
                mapping.uid(), mapping.gid(), null, dir.resolveSibling("rootfs").toString(), List.of(), null,
                new AllocationRecord.ShiftedOverlay(List.of(docker.lower2.toString(), docker.lower1.toString()),
                        docker.upper.toString(), docker.work.toString()), true));
        try (UserNamespaceFile userns = UserNamespaceFile.create(mapping)) {
            OverlayRootfsShifter.mount(OverlayMountTable.at(docker.merged).orElseThrow(), IdShift.toHost(mapping), userns,
                    i -> dir.resolve(Integer.toString(i)), dir.resolveSibling("rootfs"));
        }
        assertEquals(POOL_START, uid(docker.upper.resolve("etc/hostname")));
        assertEquals(3, mountsUnder(dataRoot).size());

        ManagerService service = service();
        assertEquals(0, service.list().getContainersCount(), "an unanswered Prepare is not a container");
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(dataRoot.resolve("shifted/c1")));
        assertFalse(Files.exists(dataRoot.resolve("idranges/c1.json")));
        assertUpperLayerIsDockers();
        assertEquals(POOL_START, Integer.toUnsignedLong(service.prepare(request("c2").build()).getUidMapping().getHostId()),
                "its range is free");
        service.release("c2");
    }

    @Test
    void aPrepareRefusedAfterTheUpperLayerWasLentGivesItBack() throws Exception {
        ManagerService service = service();
        PreconditionFailedException e = assertThrows(PreconditionFailedException.class, () -> service.prepare(request("c1")
                .addBindMounts(BindMount.newBuilder().setIndex(0).setSource("/proc/sys/kernel/hostname").setDestination("/etc/hn"))
                .build()));
        assertTrue(e.getMessage().contains("/proc/sys/kernel/hostname"), e.getMessage());
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertFalse(Files.exists(dataRoot.resolve("shifted/c1")));
        assertFalse(Files.exists(dataRoot.resolve("idranges/c1.json")));
        assertUpperLayerIsDockers();
    }

    @Test
    void dockerUsernsRemapLayersAreUsedAsTheyAre() throws Exception {
        long remap = 50_000_000;
        // What dockerd --userns-remap does to every layer it stores: ids shifted to the remapped root's.
        Path journal = base.resolve("journal");
        for (Path layer : List.of(docker.lower1, docker.lower2, docker.upper)) {
            new TreeOwnershipShift(IdShift.toHost(containerMapping(remap)), journal).apply(layer);
        }
        ManagerService service = service();
        PrepareResponse response = service.prepare(request("r1")
                .addUidMappings(mapping(remap)).addGidMappings(mapping(remap)).build());
        assertEquals(docker.merged.toString(), response.getRootfs(), "Docker's overlay, as it is");
        assertEquals(remap, Integer.toUnsignedLong(response.getUidMapping().getHostId()));
        assertTrue(mountsUnder(dataRoot).isEmpty(), "nothing shifted, nothing mounted");
        assertEquals(remap, uid(docker.upper.resolve("etc/hostname")));
        assertEquals(remap, uid(docker.lower1.resolve("etc/passwd")));
        service.release("r1");
        assertEquals(remap, uid(docker.upper.resolve("etc/hostname")), "nothing given back either");
        assertEquals(remap + 1000, uid(docker.upper.resolve("home/user/todo")));
        assertFalse(Files.exists(docker.work.resolve("sysbox")));
    }

    @Test
    void aReadOnlyOverlayGetsIdmappedLayersOnly() throws Exception {
        Path merged = Files.createDirectory(base.resolve("ro-merged"));
        FakeDockerLayer.run(base, "mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + docker.lower2 + ":" + docker.lower1, merged.toString());
        ManagerService service = service();
        PrepareResponse response = service.prepare(request("ro").setRootfs(merged.toString()).build());
        Path rootfs = Path.of(response.getRootfs());
        assertEquals(POOL_START + 1000, uid(rootfs.resolve("home/user/notes")));
        assertEquals(POOL_START, uid(rootfs.resolve("etc/passwd")));
        service.release("ro");
        assertTrue(mountsUnder(dataRoot).isEmpty());
        assertImageLayersUntouched();
    }
}
