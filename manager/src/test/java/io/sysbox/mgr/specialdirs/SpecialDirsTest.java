package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.DeviceNodes;
import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.testing.FakeDockerLayer;
import io.sysbox.mgr.testing.HostFixtures;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.sysbox.mgr.testing.HostFixtures.gid;
import static io.sysbox.mgr.testing.HostFixtures.mode;
import static io.sysbox.mgr.testing.HostFixtures.mountsUnder;
import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole life of special dirs on real files (runs as root: owners are really changed). */
class SpecialDirsTest {
    private static final long H = 200_000, G = 300_000;
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(H, 65536), new IdRange(G, 65536));
    private static final Logger LOG = LogManager.getLogger(SpecialDirsTest.class);
    private static final int S_IFIFO = ImageFixtures.S_IFIFO, S_IFCHR = ImageFixtures.S_IFCHR;
    private static final byte[] CAP_NET_RAW_V2 = ImageFixtures.CAP_NET_RAW_V2;

    private Path base, dataRoot;
    private final List<SpecialDirs> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        base = HostFixtures.tempDir("specialdirs-");
        dataRoot = base.resolve("data");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (SpecialDirs dirs : opened) dirs.close();
        HostFixtures.cleanUp(base);
    }

    @Test
    void firstPrepareCopiesPreloadedContentWithOwnersMovedToTheContainersHostIds() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        Path image = rootfs.resolve("var/lib/docker");
        SpecialDirs special = open(true);

        Prepared prepared = special.prepare("c1", rootfs, MAPPING, List.of());

        Map<String, SpecialMount> byDestination = prepared.mounts().stream()
                .collect(Collectors.toMap(SpecialMount::destination, m -> m));
        assertEquals(Set.of("/var/lib/docker", "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs",
                "/var/lib/kubelet", "/var/lib/k0s", "/var/lib/rancher/k3s", "/var/lib/rancher/rke2", "/var/lib/buildkit"),
                byDestination.keySet());
        Path host = dataRoot.resolve("docker/c1");
        assertEquals(host, byDestination.get("/var/lib/docker").source());
        assertInstanceOf(Removal.AtRuntimeDelete.class, prepared.removal(), "a plain directory rootfs");

        assertEquals(H, uid(host), "the dir is root's inside");
        assertEquals(G, gid(host));
        assertEquals(0710, mode(host) & 07777, "the image's mode");
        assertEquals(H, uid(host.resolve("root-file")));
        assertEquals(G, gid(host.resolve("root-file")));
        assertEquals("root", Files.readString(host.resolve("root-file")));
        assertEquals(H + 1000, uid(host.resolve("user-file")));
        assertEquals(G + 1000, gid(host.resolve("user-file")));
        assertEquals(0640, mode(host.resolve("user-file")) & 07777);
        assertEquals(04755, mode(host.resolve("bin/su")) & 07777, "setuid survives the owner change");
        assertEquals(H, uid(host.resolve("bin/su")));
        assertTrue(Files.isSymbolicLink(host.resolve("link")));
        assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(host.resolve("link")), "copied as a link, not followed");
        assertEquals(H, uid(host.resolve("link")));
        Object inodeA = Files.getAttribute(host.resolve("layer/a"), "unix:ino");
        assertEquals(inodeA, Files.getAttribute(host.resolve("layer/b"), "unix:ino"), "hard links stay one inode");
        assertNotEquals(Files.getAttribute(image.resolve("layer/a"), "unix:ino"), inodeA, "a copy, not a link to the image");
        assertEquals(2, (Integer) Files.getAttribute(host.resolve("layer/a"), "unix:nlink"));
        assertEquals(S_IFIFO, mode(host.resolve("pipe")) & 0170000, "fifo");
        assertEquals(S_IFCHR, mode(host.resolve("overlay2/l1/diff/deleted")) & 0170000, "whiteout device");
        assertEquals(0L, Files.getAttribute(host.resolve("overlay2/l1/diff/deleted"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals("y".getBytes(),
                ExtendedAttributes.get(host.resolve("overlay2/l1/diff/opaque"), "trusted.overlay.opaque").orElseThrow());
        assertEquals(H,
                capabilityRootId(ExtendedAttributes.get(host.resolve("bin/ping"), "security.capability").orElseThrow()),
                "file capabilities are valid for the container's root");
        assertEquals(Files.getLastModifiedTime(image.resolve("root-file")), Files.getLastModifiedTime(host.resolve("root-file")));

        Path kubelet = dataRoot.resolve("kubelet/c1");
        assertEquals(H, uid(kubelet), "a dir the image does not have is root's inside too");
        assertEquals(G, gid(kubelet));
        assertEquals(0750, mode(kubelet) & 07777);
        assertEquals(0700, mode(dataRoot.resolve("containerd/c1")) & 07777);
        assertEquals(0711, mode(dataRoot.resolve("docker")) & 07777, "containers traverse, never list");
        assertEquals(Set.of("c1"), special.containers());
    }

    @Test
    void aLaterPrepareReusesTheDirsAndKeepChangesFalseCopiesNothingBack() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        SpecialDirs special = open(true);
        special.prepare("c1", rootfs, MAPPING, List.of());
        Path host = dataRoot.resolve("docker/c1");
        Path innerImage = Files.writeString(host.resolve("inner-image"), "pulled inside");
        Files.delete(host.resolve("root-file"));

        special.stopped("c1", rootfs, false);

        assertTrue(Files.exists(innerImage), "stop keeps the host dirs");
        assertFalse(Files.exists(rootfs.resolve("var/lib/docker/inner-image")), "--rm: nothing copied back");
        assertTrue(Files.exists(rootfs.resolve("var/lib/docker/root-file")));
        Files.writeString(rootfs.resolve("var/lib/docker/added-to-the-image-later"), "x");

        Prepared again = special.prepare("c1", rootfs, MAPPING, List.of());

        assertEquals(host, again.mounts().stream().filter(m -> m.kind() == SpecialDirKind.DOCKER).findFirst()
                .orElseThrow().source());
        assertEquals("pulled inside", Files.readString(innerImage), "inner changes survive stop/start");
        assertFalse(Files.exists(host.resolve("root-file")), "the image is not copied in again");
        assertFalse(Files.exists(host.resolve("added-to-the-image-later")));
    }

    @Test
    void stoppedCopiesInnerChangesBackWithImageOwners() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        Path image = rootfs.resolve("var/lib/docker");
        SpecialDirs special = open(true);
        special.prepare("c1", rootfs, MAPPING, List.of());
        Path host = dataRoot.resolve("docker/c1");
        // What an inner dockerd does: new root-owned files, a user's dir, a setuid binary, a deletion, an edit.
        Path inner = Files.createDirectory(host.resolve("inner"));
        owned(inner, H, G);
        owned(Files.writeString(inner.resolve("new-root-file"), "new"), H, G);
        owned(Files.createDirectory(inner.resolve("user-dir")), H + 1000, G + 1000);
        Path suid = Files.writeString(inner.resolve("suid"), "#!/bin/sh\n");
        owned(suid, H, G);
        Files.setAttribute(suid, "unix:mode", 04755);
        Files.delete(host.resolve("user-file"));
        Files.writeString(host.resolve("root-file"), "edited inside");
        Path pkgKubelet = Files.writeString(dataRoot.resolve("kubelet/c1/pod"), "p");
        owned(pkgKubelet, H, G);

        special.stopped("c1", rootfs, true);

        assertEquals(0, uid(image.resolve("inner/new-root-file")), "root's inside is root's in the image");
        assertEquals(0, gid(image.resolve("inner/new-root-file")));
        assertEquals(0, uid(image.resolve("inner")));
        assertEquals(1000, uid(image.resolve("inner/user-dir")));
        assertEquals(1000, gid(image.resolve("inner/user-dir")));
        assertEquals(04755, mode(image.resolve("inner/suid")) & 07777);
        assertEquals(0, uid(image.resolve("inner/suid")));
        assertFalse(Files.exists(image.resolve("user-file")), "deleted inside, deleted in the image");
        assertEquals("edited inside", Files.readString(image.resolve("root-file")));
        assertEquals(0, uid(image.resolve("root-file")));
        assertEquals(Files.getAttribute(image.resolve("layer/a"), "unix:ino"),
                Files.getAttribute(image.resolve("layer/b"), "unix:ino"), "hard links survive the way back");
        assertArrayEquals(CAP_NET_RAW_V2,
                ExtendedAttributes.get(image.resolve("bin/ping"), "security.capability").orElseThrow(),
                "capabilities are the image's again");
        assertEquals(0, uid(image));
        assertEquals(0710, mode(image) & 07777);
        assertEquals(0, uid(rootfs.resolve("var/lib/kubelet/pod")), "every special dir is copied back");
        assertTrue(Files.isDirectory(dataRoot.resolve("docker/c1")), "stop keeps the host dirs");
        assertFalse(Files.exists(rootfs.resolve("var/lib/k0s")), "an unused dir adds nothing to the image");

        Files.writeString(host.resolve("after-stop"), "x");
        special.stopped("c1", rootfs, true);
        assertFalse(Files.exists(image.resolve("after-stop")), "a second stop of a stopped container does nothing");
    }

    @Test
    void removedDeletesEverythingTheContainerLeftWithoutFollowingLinksOut() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Path keep = Files.writeString(outside.resolve("keep.txt"), "host data");
        SpecialDirs special = open(true);
        special.prepare("c1", rootfs, MAPPING, List.of());
        Path host = dataRoot.resolve("docker/c1");
        Path locked = Files.createDirectory(host.resolve("locked"));
        Path lockedFile = Files.writeString(locked.resolve("file"), "x");
        Files.setAttribute(lockedFile, "unix:mode", 0);
        Files.setAttribute(locked, "unix:mode", 0);
        owned(locked, H, G);
        Files.createSymbolicLink(host.resolve("escape-file"), keep);
        Files.createSymbolicLink(host.resolve("escape-dir"), outside);
        Files.createSymbolicLink(locked.resolve("up"), Path.of("../../../.."));

        special.stopped("c1", rootfs, false);
        special.removed("c1");

        for (SpecialDirKind kind : SpecialDirKind.values()) {
            assertFalse(Files.exists(dataRoot.resolve(kind.dirName()).resolve("c1"), LinkOption.NOFOLLOW_LINKS), kind.name());
        }
        assertEquals("host data", Files.readString(keep), "a link's target is not deleted");
        assertTrue(Files.isDirectory(rootfs.resolve("var/lib/docker")));
        assertEquals(Set.of(), special.containers());
        assertFalse(Files.exists(dataRoot.resolve("specialdirs/c1.json")));

        special.removed("c1");
        special.stopped("c1", rootfs, true);
        assertFalse(Files.exists(host), "removed and stopped again change nothing");

        // The other order: removed before stopped (the container is gone; nothing to copy back).
        special.prepare("c2", rootfs, MAPPING, List.of());
        Files.writeString(dataRoot.resolve("docker/c2/inner"), "x");
        special.removed("c2");
        special.stopped("c2", rootfs, true);
        assertFalse(Files.exists(dataRoot.resolve("docker/c2")));
        assertFalse(Files.exists(rootfs.resolve("var/lib/docker/inner")));
    }

    @Test
    void dockersDataRootComesFromTheImagesDaemonJson() throws Exception {
        Path rootfs = Files.createDirectories(base.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("etc/docker"));
        Files.writeString(rootfs.resolve("etc/docker/daemon.json"),
                "{\"storage-driver\": \"overlay2\", \"data-root\": \"/data/docker/\"}");
        Files.createDirectories(rootfs.resolve("data/docker"));
        Files.writeString(rootfs.resolve("data/docker/preloaded"), "image");
        SpecialDirs special = open(true);

        Prepared prepared = special.prepare("c1", rootfs, MAPPING, List.of());

        SpecialMount docker = prepared.mounts().stream().filter(m -> m.kind() == SpecialDirKind.DOCKER).findFirst().orElseThrow();
        assertEquals("/data/docker", docker.destination());
        assertTrue(prepared.mounts().stream().noneMatch(m -> m.destination().equals("/var/lib/docker")));
        assertEquals("image", Files.readString(docker.source().resolve("preloaded")));

        Files.writeString(docker.source().resolve("pulled"), "inner");
        special.stopped("c1", rootfs, true);
        assertEquals("inner", Files.readString(rootfs.resolve("data/docker/pulled")));
        assertFalse(Files.exists(rootfs.resolve("var/lib/docker")));
    }

    @Test
    void aUserVolumeOnVarLibDockerReplacesTheSpecialDirAndServesOneRunningContainerAtATime() throws Exception {
        Path rootfsA = ImageFixtures.withPreloadedDocker(base.resolve("a"));
        Path rootfsB = ImageFixtures.withPreloadedDocker(base.resolve("b"));
        Path volume = Files.createDirectories(base.resolve("volumes/myVol/_data"));
        Path sameVolume = Files.createSymbolicLink(base.resolve("myVol-link"), volume);
        SpecialDirs special = open(true);

        Prepared a = special.prepare("A", rootfsA, MAPPING, List.of(new UserMount(volume, "/var/lib/docker/")));

        assertTrue(a.mounts().stream().noneMatch(m -> m.kind() == SpecialDirKind.DOCKER), a.mounts().toString());
        assertEquals(6, a.mounts().size());
        assertFalse(Files.exists(dataRoot.resolve("docker/A")));
        assertTrue(Files.isDirectory(dataRoot.resolve("kubelet/A")));

        SourceInUseException refused = assertThrows(SourceInUseException.class, () ->
                special.prepare("B", rootfsB, MAPPING, List.of(new UserMount(sameVolume, "/var/lib/docker"))));
        assertEquals("A", refused.owner());
        assertTrue(refused.getMessage().contains(volume + " is already /var/lib/docker of container A"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Docker does not support two daemons sharing one image cache;"
                + " use a separate volume for each system container"), refused.getMessage());
        assertFalse(Files.exists(dataRoot.resolve("kubelet/B")), "a refused prepare makes nothing");
        assertFalse(special.containers().contains("B"));

        special.stopped("A", rootfsA, true);
        Prepared b = special.prepare("B", rootfsB, MAPPING, List.of(new UserMount(sameVolume, "/var/lib/docker")));
        assertEquals(6, b.mounts().size());

        SourceInUseException back = assertThrows(SourceInUseException.class, () ->
                special.prepare("A", rootfsA, MAPPING, List.of(new UserMount(volume, "/var/lib/docker"))));
        assertEquals("B", back.owner());
        special.removed("B");
        special.prepare("A", rootfsA, MAPPING, List.of(new UserMount(volume, "/var/lib/docker")));
    }

    @Test
    void theRemovalMonitorDeletesTheDirsWhenDockersLayerGoes() throws Exception {
        Path layer = Files.createDirectories(base.resolve("overlay2/L1"));
        Files.createDirectory(layer.resolve("diff"));
        Path rootfs = ImageFixtures.withPreloadedDocker(layer.resolve("merged"));
        SpecialDirs special = open(true);

        Prepared prepared = special.prepare("c1", rootfs, MAPPING, List.of());

        assertEquals(new Removal.WatchedLayer(layer), prepared.removal());
        assertTrue(special.isWatched("c1"));
        special.stopped("c1", rootfs, true);
        Thread.sleep(400);
        assertTrue(Files.isDirectory(dataRoot.resolve("docker/c1")), "stopped, not removed: the layer is still there");

        HostFixtures.cleanUp(layer);
        awaitGone(dataRoot.resolve("docker/c1"));
        awaitGone(dataRoot.resolve("buildkit/c1"));
        assertFalse(special.isWatched("c1"));
        // The record goes after the dirs, on the monitor's thread.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!special.containers().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(Set.of(), special.containers());
    }

    @Test
    void aNewInstanceTakesOverFromTheRecords() throws Exception {
        Path layerA = Files.createDirectories(base.resolve("overlay2/LA"));
        Files.createDirectory(layerA.resolve("diff"));
        Path rootfsA = ImageFixtures.withPreloadedDocker(layerA.resolve("merged"));
        Path rootfsB = ImageFixtures.withPreloadedDocker(base.resolve("plain-b"));
        Path layerC = Files.createDirectories(base.resolve("overlay2/LC"));
        Files.createDirectory(layerC.resolve("diff"));
        Path rootfsC = ImageFixtures.withPreloadedDocker(layerC.resolve("merged"));
        Path volume = Files.createDirectories(base.resolve("volumes/v/_data"));

        SpecialDirs first = open(true);
        first.prepare("A", rootfsA, MAPPING, List.of(new UserMount(volume, "/var/lib/docker")));
        first.prepare("B", rootfsB, MAPPING, List.of());
        first.prepare("C", rootfsC, MAPPING, List.of());
        first.stopped("C", rootfsC, true);
        first.close();
        // What a manager killed half-way leaves: a staging copy, and a dir no record knows.
        Path staging = Files.createDirectories(dataRoot.resolve("docker/.D.partial/sub"));
        Path orphan = Files.createDirectories(dataRoot.resolve("kubelet/orphan"));

        SpecialDirs second = open(true);
        second.restore(List.of("A"));

        assertFalse(Files.exists(staging.getParent()), "half-made copies are deleted");
        assertFalse(Files.exists(orphan));
        assertFalse(Files.exists(dataRoot.resolve("kubelet/B")), "B's runtime delete happened while no manager ran");
        assertTrue(Files.isDirectory(dataRoot.resolve("kubelet/A")));
        assertTrue(Files.isDirectory(dataRoot.resolve("docker/C")));
        assertTrue(second.isWatched("A"));
        assertTrue(second.isWatched("C"));
        SourceInUseException refused = assertThrows(SourceInUseException.class, () ->
                second.prepare("E", rootfsB, MAPPING, List.of(new UserMount(volume, "/var/lib/docker"))));
        assertEquals("A", refused.owner(), "A still holds its image cache");

        Files.writeString(dataRoot.resolve("kubelet/A/pod"), "p");
        second.stopped("A", rootfsA, true);
        assertEquals("p", Files.readString(rootfsA.resolve("var/lib/kubelet/pod")), "A's record came back");
        second.prepare("E", rootfsB, MAPPING, List.of(new UserMount(volume, "/var/lib/docker")));

        HostFixtures.cleanUp(layerC);
        awaitGone(dataRoot.resolve("docker/C"));
    }

    @Test
    void withInnerImagePreloadDisabledNothingIsCopiedEitherWay() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        SpecialDirs special = open(false);

        special.prepare("c1", rootfs, MAPPING, List.of());

        Path host = dataRoot.resolve("docker/c1");
        try (var entries = Files.list(host)) {
            assertEquals(0, entries.count(), "the image's content is not copied in");
        }
        assertEquals(0710, mode(host) & 07777);
        assertEquals(H, uid(host));
        Files.writeString(host.resolve("pulled"), "x");
        special.stopped("c1", rootfs, true);
        assertFalse(Files.exists(rootfs.resolve("var/lib/docker/pulled")));
    }

    @Test
    void aSymlinkInTheImageCannotRedirectCopiesOutOfTheRootfs() throws Exception {
        Path rootfs = Files.createDirectories(base.resolve("rootfs"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host");
        Files.createDirectories(rootfs.resolve("var/lib"));
        Files.createSymbolicLink(rootfs.resolve("var/lib/docker"), outside);
        SpecialDirs special = open(true);

        special.prepare("c1", rootfs, MAPPING, List.of());
        Path host = dataRoot.resolve("docker/c1");
        assertFalse(Files.exists(host.resolve("secret")), "the host's directory is not read");
        Files.writeString(host.resolve("pulled"), "x");
        special.stopped("c1", rootfs, true);

        assertFalse(Files.exists(outside.resolve("pulled")), "the host's directory is not written");
        assertTrue(Files.exists(rootfs.resolve(outside.toString().substring(1)).resolve("pulled")),
                "written where the container sees it: the link resolved inside the rootfs");
    }

    /**
     * Docker's case: the rootfs is Docker's overlay, which stays mounted while the container
     * runs on another overlay of the same upper layer and so has a stale view of it; the
     * special dir holds an inner overlay2 store; docker commit archives the upper layer
     * without xattrs, and a container of the new image gets the store back whole.
     */
    @Test
    void anInnerOverlayStoreGoesBackThroughDockersStaleOverlayAndSurvivesACommit() throws Exception {
        FakeDockerLayer docker = FakeDockerLayer.create(base.resolve("docker"), "");
        SpecialDirs special = open(true);
        special.prepare("c1", docker.merged, MAPPING, List.of());
        // Docker's overlay has looked up /var/lib/docker and found nothing; the container, on its own overlay,
        // then gets the special dir's mount point made in the shared upper layer.
        Path running = Files.createDirectory(base.resolve("running"));
        FakeDockerLayer.run(base, "mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + docker.lower2 + ":"
                + docker.lower1 + ",upperdir=" + docker.upper + ",workdir=" + Files.createDirectory(base.resolve("work"))
                + ",index=off", running.toString());
        try {
            Files.createDirectories(running.resolve("var/lib/docker"));
        } finally {
            MountApi.umount(running.toString(), 0);
        }
        Path host = dataRoot.resolve("docker/c1");
        Path store = innerOverlay2Store(host);

        special.stopped("c1", docker.merged, true);

        Path layer = docker.upper.resolve("var/lib/docker");
        assertEquals("busybox", Files.readString(layer.resolve("overlay2/abc/diff/bin/busybox")));
        assertEquals(0, uid(layer.resolve("overlay2/abc/diff/bin/busybox")), "root's inside is root's in the layer");
        assertEquals(Path.of("../abc/diff"), Files.readSymbolicLink(layer.resolve("overlay2/l/ABC")));
        assertEquals(0, mode(layer.resolve("overlay2/def/work/work")) & 07777);
        assertFalse(Files.exists(layer.resolve("overlay2/def/diff/etc/deleted"), LinkOption.NOFOLLOW_LINKS),
                "an inner whiteout is no whiteout of the container's layer");
        Path opaque = layer.resolve("overlay2/def/diff/opaque");
        assertTrue(Files.isDirectory(opaque));
        assertTrue(ExtendedAttributes.get(opaque, "trusted.overlay.opaque").isEmpty(),
                "nor is an inner opaque dir an opaque dir of it");
        assertTrue(ExtendedAttributes.get(opaque, "user.overlay.opaque").isEmpty());
        assertTrue(Files.isRegularFile(layer.resolve(InnerOverlayMetadata.FILE_NAME)), "they are set aside");
        assertEquals(List.of(), mountsUnder(base).stream().filter(m -> !m.mountPoint().equals(docker.merged)).toList(),
                "the copy-back mount is gone");
        assertFalse(Files.exists(docker.work.resolve("sysbox")), "and its workdir");
        try (var left = Files.list(dataRoot.resolve("copyback"))) {
            assertEquals(List.of(), left.toList());
        }

        // docker commit: the layer as a tar, which keeps no xattrs; a container of the new image.
        Path image = Files.createDirectory(base.resolve("image"));
        FakeDockerLayer.run(base, "sh", "-c", "tar -C '" + docker.upper + "' -cf - var | tar -C '" + image + "' -xpf -");
        special.prepare("c2", image, MAPPING, List.of());

        Path copy = dataRoot.resolve("docker/c2");
        assertEquals("busybox", Files.readString(copy.resolve("overlay2/abc/diff/bin/busybox")));
        assertEquals(H, uid(copy.resolve("overlay2/abc/diff/bin/busybox")));
        Path whiteout = copy.resolve("overlay2/def/diff/etc/deleted");
        assertEquals(S_IFCHR, mode(whiteout) & 0170000, "the inner whiteout is back");
        assertEquals(0L, Files.getAttribute(whiteout, "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        assertEquals(H + 1000, uid(whiteout), "owned as it was inside");
        assertEquals(Files.getLastModifiedTime(store.resolve("overlay2/def/diff/etc"), LinkOption.NOFOLLOW_LINKS),
                Files.getLastModifiedTime(copy.resolve("overlay2/def/diff/etc"), LinkOption.NOFOLLOW_LINKS),
                "making it left its directory's times as they were");
        Path opaqueCopy = copy.resolve("overlay2/def/diff/opaque");
        assertArrayEquals("y".getBytes(), ExtendedAttributes.get(opaqueCopy, "trusted.overlay.opaque").orElseThrow());
        assertArrayEquals("y".getBytes(), ExtendedAttributes.get(opaqueCopy, "user.overlay.opaque").orElseThrow());
        assertFalse(Files.exists(copy.resolve(InnerOverlayMetadata.FILE_NAME)), "inner software never sees the file");
        assertEquals(0, mode(copy.resolve("overlay2/def/work/work")) & 07777);
    }

    @Test
    void innerOverlayMetadataFromAnImageCannotReachOutOfTheSpecialDir() throws Exception {
        Path rootfs = Files.createDirectories(base.resolve("rootfs"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Path docker = Files.createDirectories(rootfs.resolve("var/lib/docker"));
        Files.createDirectory(docker.resolve("sub"));
        Files.createSymbolicLink(docker.resolve("link"), outside);
        Files.writeString(docker.resolve(InnerOverlayMetadata.FILE_NAME), """
                {"version": 1,
                 "whiteouts": [
                   {"path": "../../../../outside/up", "uid": 0, "gid": 0, "mode": 0},
                   {"path": "link/through", "uid": 0, "gid": 0, "mode": 0},
                   {"path": "/abs", "uid": 0, "gid": 0, "mode": 0},
                   {"path": "sub/ok", "uid": 0, "gid": 0, "mode": 384}],
                 "xattrs": [
                   {"path": "link/x", "name": "trusted.overlay.opaque", "value": "eQ=="},
                   {"path": "sub", "name": "security.capability", "value": "eQ=="},
                   {"path": "sub", "name": "trusted.overlay.opaque", "value": "eQ=="}]}
                """);
        SpecialDirs special = open(true);

        special.prepare("c1", rootfs, MAPPING, List.of());

        Path host = dataRoot.resolve("docker/c1");
        try (var made = Files.list(outside)) {
            assertEquals(List.of(), made.toList(), "nothing made through a symlink or ..");
        }
        assertFalse(Files.exists(Path.of("/abs"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(S_IFCHR, mode(host.resolve("sub/ok")) & 0170000, "a plain path is restored");
        assertEquals(H, uid(host.resolve("sub/ok")), "owners move into the container like the copy's");
        assertEquals(0600, mode(host.resolve("sub/ok")) & 07777);
        assertArrayEquals("y".getBytes(),
                ExtendedAttributes.get(host.resolve("sub"), "trusted.overlay.opaque").orElseThrow());
        assertTrue(ExtendedAttributes.get(host.resolve("sub"), "security.capability").isEmpty(),
                "only overlayfs xattrs are restored");
        assertFalse(Files.exists(host.resolve(InnerOverlayMetadata.FILE_NAME)));
    }

    @Test
    void aCopyBackMountADeadManagerLeftIsDetachedNotDeletedThrough() throws Exception {
        open(true);
        Path layer = Files.createDirectory(base.resolve("layer"));
        Files.writeString(layer.resolve("container-file"), "kept");
        Path leftover = Files.createDirectories(dataRoot.resolve("copyback/c1"));
        FakeDockerLayer.run(base, "mount", "--bind", layer.toString(), leftover.toString());

        open(true).restore(List.of());

        assertEquals(List.of(), mountsUnder(dataRoot));
        assertFalse(Files.exists(leftover, LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(layer.resolve("container-file")), "what was mounted there is untouched");
    }

    @Test
    void aContainerBackWithAnotherMappingGetsItsDirsReowned() throws Exception {
        Path rootfs = ImageFixtures.withPreloadedDocker(base.resolve("rootfs"));
        SpecialDirs special = open(true);
        special.prepare("c1", rootfs, MAPPING, List.of());
        special.stopped("c1", rootfs, false);
        long h2 = 500_000, g2 = 600_000;
        ContainerMapping other = new ContainerMapping(new IdRange(h2, 65536), new IdRange(g2, 65536));

        special.prepare("c1", rootfs, other, List.of());

        Path host = dataRoot.resolve("docker/c1");
        assertEquals(h2, uid(host));
        assertEquals(h2 + 1000, uid(host.resolve("user-file")));
        assertEquals(g2 + 1000, gid(host.resolve("user-file")));
        assertEquals(04755, mode(host.resolve("bin/su")) & 07777);
        assertEquals(h2,
                capabilityRootId(ExtendedAttributes.get(host.resolve("bin/ping"), "security.capability").orElseThrow()));
        assertEquals(h2, uid(dataRoot.resolve("kubelet/c1")));
    }

    // ---- helpers

    /**
     * What inner Docker's overlay2 driver leaves in its data root (host ids: the container's
     * root is H): a layer with its short link, a layer with a whiteout, an opaque dir (trusted
     * and userxattr forms) and overlayfs's work dir.
     */
    private static Path innerOverlay2Store(Path host) throws IOException {
        Path overlay2 = Files.createDirectories(host.resolve("overlay2"));
        Files.createDirectories(overlay2.resolve("abc/diff/bin"));
        Files.writeString(overlay2.resolve("abc/diff/bin/busybox"), "busybox");
        Files.writeString(overlay2.resolve("abc/link"), "ABC");
        Files.createDirectories(overlay2.resolve("l"));
        Files.createSymbolicLink(overlay2.resolve("l/ABC"), Path.of("../abc/diff"));
        Path etc = Files.createDirectories(overlay2.resolve("def/diff/etc"));
        DeviceNodes.mknod(etc.resolve("deleted"), S_IFCHR, 0);
        Path opaque = Files.createDirectory(overlay2.resolve("def/diff/opaque"));
        ExtendedAttributes.set(opaque, "trusted.overlay.opaque", "y".getBytes());
        ExtendedAttributes.set(opaque, "user.overlay.opaque", "y".getBytes());
        Path work = Files.createDirectories(overlay2.resolve("def/work/work"));
        Files.setAttribute(work, "unix:mode", 0);
        try (var walk = Files.walk(host)) {
            for (Path p : walk.toList()) owned(p, H, G);
        }
        owned(etc.resolve("deleted"), H + 1000, G + 1000);
        Files.setLastModifiedTime(etc, FileTime.fromMillis(1_000_000_000_000L));
        return host;
    }

    private SpecialDirs open(boolean preload) throws IOException {
        SpecialDirs dirs = new SpecialDirs(new SpecialDirsConfig(dataRoot, preload, Duration.ofMillis(100)), LOG);
        opened.add(dirs);
        return dirs;
    }

    private static void owned(Path path, long uid, long gid) throws IOException {
        ImageFixtures.owned(path, uid, gid);
    }

    /** 0 for a version-2 value (valid for the reader's root), else the version-3 rootid. */
    private static long capabilityRootId(byte[] value) {
        assertTrue(value != null && (value.length == 20 || value.length == 24), Arrays.toString(value));
        return value.length == 20 ? 0 : Integer.toUnsignedLong(ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt(20));
    }

    private static void awaitGone(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (System.nanoTime() > deadline) throw new AssertionError(path + " still exists after 10 s");
            Thread.sleep(50);
        }
    }
}
