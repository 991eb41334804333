package io.sysbox.mgr.mounts;

import io.sysbox.common.sys.Ownership;
import io.sysbox.mgr.idmap.IdmappedMount;
import io.sysbox.mgr.idmap.UserNamespaceFile;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import io.sysbox.mgr.mounts.BindMountPolicy.BindSource;
import io.sysbox.mgr.mounts.BindMountPolicy.Container;
import io.sysbox.mgr.mounts.BindMountPolicy.Reason;
import io.sysbox.mgr.mounts.BindMountPolicy.Shifted;
import io.sysbox.mgr.mounts.BindMountPolicy.Unshifted;
import io.sysbox.mgr.testing.HostFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import static io.sysbox.mgr.testing.HostFixtures.uid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BindMountPolicyTest {
    private static final long H = 3_000_065_536L;
    private static final ContainerMapping MAPPING = new ContainerMapping(new IdRange(H, 65536), new IdRange(H, 65536));
    private static final Container PLAIN = new Container(MAPPING, false, Set.of());
    private static final Container REMAPPED = new Container(MAPPING, true, Set.of());

    private final BindMountPolicy policy = new BindMountPolicy();
    private Path dir;
    private UserNamespaceFile userns;
    private BindMountPolicy.Shifter shifter;

    @BeforeEach
    void setUp() throws IOException {
        dir = HostFixtures.tempDir("policy-");
        // Temp directories are created 0700, which alone would satisfy the root-only rule.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        userns = UserNamespaceFile.create(MAPPING);
        shifter = (source, target, recursive) -> IdmappedMount.attach(source, target, userns, recursive);
    }

    @AfterEach
    void tearDown() throws IOException {
        userns.close();
        HostFixtures.cleanUp(dir);
    }

    private static BindSource bind(Path source, String destination) {
        return new BindSource(0, source, destination, false);
    }

    /** A ramfs (no idmapped-mount support) at dir/name, for sources that must keep the seed's rules. */
    private Path ramfs(Path parent, String name) throws IOException {
        Path mountPoint = Files.createDirectories(parent.resolve(name));
        // The mount(8) command rather than MountApi.mount: see the report on common's MountApi.mount.
        Process mount = new ProcessBuilder("mount", "-t", "ramfs", "-o", "mode=0755", "ramfs", mountPoint.toString())
                .redirectErrorStream(true).start();
        try {
            String output = new String(mount.getInputStream().readAllBytes());
            if (mount.waitFor() != 0) throw new IOException("mount -t ramfs " + mountPoint + ": " + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return mountPoint;
    }

    @Test
    void anIdmappableSourceIsShifted() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Ownership.lchown(Files.writeString(data.resolve("f"), "x").toString(), 1000, 1000);
        BindMountPolicy.Outcome outcome = policy.apply(bind(data, "/data"), PLAIN, dir.resolve("clone"), shifter);
        Shifted shifted = assertInstanceOf(Shifted.class, outcome);
        assertEquals(dir.resolve("clone"), shifted.source());
        assertEquals(H + 1000, uid(shifted.source().resolve("f")), "uid 1000 shows as 1000 inside");
        assertTrue(HostFixtures.mountsUnder(dir).getFirst().idmapped());
    }

    @Test
    void skipUidShiftDestinationsAreLeftAloneWithoutChecks() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Ownership.lchown(data.toString(), 1000, 1000);
        Container skipping = new Container(MAPPING, false, Set.of("/var/lib/data/"));
        BindMountPolicy.Outcome outcome = policy.apply(bind(data, "/var/lib//data"), skipping, dir.resolve("clone"), shifter);
        assertEquals(Reason.SKIP_UID_SHIFT, assertInstanceOf(Unshifted.class, outcome).reason());
        assertTrue(HostFixtures.mountsUnder(dir).isEmpty());
    }

    @Test
    void devNullIsNeverIdmapped() throws Exception {
        BindMountPolicy.Outcome outcome = policy.apply(bind(Path.of("/dev/null"), "/dev/kmsg"), PLAIN,
                dir.resolve("clone"), shifter);
        assertEquals(Reason.DEVICE, assertInstanceOf(Unshifted.class, outcome).reason());
        assertFalse(Files.exists(dir.resolve("clone")));
    }

    @Test
    void aSourceAlreadyOwnedInsideTheContainersRangeIsLeftAlone() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Ownership.lchown(data.toString(), (int) (H + 5), (int) (H + 5));
        BindMountPolicy.Outcome outcome = policy.apply(bind(data, "/data"), PLAIN, dir.resolve("clone"), shifter);
        assertEquals(Reason.OWNED_BY_CONTAINER, assertInstanceOf(Unshifted.class, outcome).reason());
        assertTrue(HostFixtures.mountsUnder(dir).isEmpty());
    }

    @Test
    void aProcFileCannotBeIdmappedAndIsNotReachableByRootOnlySoItIsRefused() throws Exception {
        Path hostname = Path.of("/proc/sys/kernel/hostname");
        MountPolicyException e = assertThrows(MountPolicyException.class,
                () -> policy.apply(bind(hostname, "/etc/hn"), PLAIN, dir.resolve("clone"), shifter));
        assertTrue(e.getMessage().contains("/proc/sys/kernel/hostname"), e.getMessage());
        assertTrue(e.getMessage().contains("0700"), e.getMessage());
        assertTrue(e.getMessage().contains("/proc, /proc/sys, /proc/sys/kernel"), e.getMessage());
        assertTrue(HostFixtures.mountsUnder(dir).isEmpty());
        assertFalse(Files.exists(dir.resolve("clone")));
    }

    @Test
    void unshiftableRootOwnedSourceUnderA0700DirectoryIsAccepted() throws Exception {
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        Path source = ramfs(secret, "volume");
        // The last directory may be open to all; a 0700 ancestor is what keeps others out.
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwxrwxrwx"));
        BindMountPolicy.Outcome outcome = policy.apply(bind(source, "/v"), PLAIN, dir.resolve("clone"), shifter);
        Unshifted unshifted = assertInstanceOf(Unshifted.class, outcome);
        assertEquals(Reason.NOT_IDMAPPABLE, unshifted.reason());
        assertTrue(unshifted.detail().contains("ramfs"), unshifted.detail());
        assertFalse(Files.exists(dir.resolve("clone")));
    }

    @Test
    void theSourceItselfMayBeTheRootOnlyDirectory() throws Exception {
        Path source = ramfs(dir, "volume");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwx------"));
        assertInstanceOf(Unshifted.class, policy.apply(bind(source, "/v"), PLAIN, dir.resolve("clone"), shifter));
    }

    @Test
    void anUnshiftableSourceReachableByOthersIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = ramfs(open, "volume");
        MountPolicyException e = assertThrows(MountPolicyException.class,
                () -> policy.apply(bind(source, "/v"), PLAIN, dir.resolve("clone"), shifter));
        assertTrue(e.getMessage().contains(source.toString()) && e.getMessage().contains("accessible only by root"),
                e.getMessage());
    }

    @Test
    void a0700DirectoryNotOwnedByRootDoesNotCount() throws Exception {
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        Ownership.lchown(secret.toString(), 1000, 1000);
        Path source = ramfs(secret, "volume");
        assertThrows(MountPolicyException.class,
                () -> policy.apply(bind(source, "/v"), PLAIN, dir.resolve("clone"), shifter));
    }

    @Test
    void anUnshiftableSourceNotOwnedByRootIsRefusedNamingTheOwnerRule() throws Exception {
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        Path source = ramfs(secret, "volume");
        Ownership.lchown(source.toString(), 1000, 1000);
        MountPolicyException e = assertThrows(MountPolicyException.class,
                () -> policy.apply(bind(source, "/v"), PLAIN, dir.resolve("clone"), shifter));
        assertTrue(e.getMessage().contains("owned by root:root") && e.getMessage().contains("1000:1000")
                && e.getMessage().contains(source.toString()), e.getMessage());
    }

    @Test
    void withUsernsRemapAnUnshiftableSourceMustBeOwnedByTheRemappedUser() throws Exception {
        Path source = ramfs(dir, "volume");
        MountPolicyException e = assertThrows(MountPolicyException.class,
                () -> policy.apply(bind(source, "/v"), REMAPPED, dir.resolve("clone"), shifter));
        assertTrue(e.getMessage().contains("remapped user " + H + ":" + H) && e.getMessage().contains("0:0"),
                e.getMessage());
        // Owned by the remapped root: already inside the container's range, so it is used as it is.
        Ownership.lchown(source.toString(), (int) H, (int) H);
        assertEquals(Reason.OWNED_BY_CONTAINER, assertInstanceOf(Unshifted.class,
                policy.apply(bind(source, "/v"), REMAPPED, dir.resolve("clone"), shifter)).reason());
    }

    @Test
    void aMissingSourceIsLeftToTheLowLevelRuntime() throws Exception {
        BindMountPolicy.Outcome outcome = policy.apply(bind(dir.resolve("nope"), "/n"), PLAIN, dir.resolve("clone"), shifter);
        assertEquals(Reason.MISSING, assertInstanceOf(Unshifted.class, outcome).reason());
    }

    /** The data root and the run dir, themselves, below them, or through a symlink: refused naming which. */
    @Test
    void sourcesInSysboxsOwnDirectoriesAreRefused() throws Exception {
        Path dataRoot = Files.createDirectories(dir.resolve("data"));
        Path records = Files.createDirectories(dataRoot.resolve("idranges"));
        Path runDir = Files.createDirectories(dir.resolve("run"));
        Path link = Files.createSymbolicLink(dir.resolve("link-to-run"), runDir);
        BindMountPolicy guarded = new BindMountPolicy(List.of(new BindMountPolicy.OwnDirectory(dataRoot, "data root"),
                new BindMountPolicy.OwnDirectory(runDir, "run dir")));
        for (Path source : List.of(dataRoot, records, runDir, link)) {
            MountPolicyException e = assertThrows(MountPolicyException.class,
                    () -> guarded.apply(bind(source, "/mnt"), PLAIN, dir.resolve("clone"), shifter));
            assertTrue(e.getMessage().contains("sysbox's " + (source.startsWith(dataRoot) ? "data root" : "run dir"))
                    && e.getMessage().contains("/mnt"), e.getMessage());
        }
        Path sibling = Files.createDirectories(dir.resolve("data-sibling"));
        assertInstanceOf(Shifted.class, guarded.apply(bind(sibling, "/mnt"), PLAIN, dir.resolve("clone"), shifter),
                "a directory beside the data root, whose name merely starts the same, is no part of it");
    }
}
