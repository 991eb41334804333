package io.sysbox.fs.seccomp;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class MountPolicyTest {
    /** A container's table as runc leaves it: rootfs, /proc with an emulated file and a read-only path, /sys, two volumes. */
    static final String INITIAL = String.join("\n",
            "100 90 0:50 / / rw,relatime - overlay overlay rw",
            "101 100 0:51 / /proc rw,nosuid - proc proc rw",
            "102 101 0:60 /c1/proc/uptime /proc/uptime ro,nosuid - fuse.sysbox-fs sysboxfs ro",
            "103 101 0:51 /sys /proc/sys ro,nosuid - proc proc rw",
            "104 103 0:60 /c1/proc/sys/kernel/panic /proc/sys/kernel/panic rw - fuse.sysbox-fs sysboxfs rw",
            "105 100 0:52 / /sys rw,nosuid - sysfs sysfs rw",
            "106 105 0:60 /c1/sys/kernel /sys/kernel rw - fuse.sysbox-fs sysboxfs rw",
            "107 100 8:1 /vol/ro /ro-vol ro,relatime - ext4 /dev/sda1 rw",
            "108 100 8:1 /vol/rw /rw-vol rw,relatime - ext4 /dev/sda1 rw");

    private static final MountPolicy.Container CONTAINER = container(new ImmutabilityOptions(false, true));

    static MountPolicy.Container container(ImmutabilityOptions options) {
        MountTable table = MountTable.parse(INITIAL);
        return new MountPolicy.Container(new InitialMounts(table), 4242, () -> table, options);
    }

    /** A caller whose table is TABLE and whose paths are mount points of it (PATHS: path → mount id). */
    record FakeCaller(boolean sysAdmin, MountTable table, Map<String, Long> paths) implements CallerView {
        @Override
        public boolean hasSysAdmin() {
            return sysAdmin;
        }

        @Override
        public Optional<Located> locate(String path, boolean followLast) {
            Long id = paths.get(path);
            if (id == null) return Optional.empty();
            MountEntry mount = table.byId(id).orElseThrow();
            return Optional.of(new Located(mount, mount.mountPoint().equals(path)));
        }

        @Override
        public boolean sharesNetworkWith(long pid) {
            return true;
        }

        @Override
        public MountTable mounts() {
            return table;
        }
    }

    private static FakeCaller root(String table, Map<String, Long> paths) {
        return new FakeCaller(true, MountTable.parse(table), paths);
    }

    private static Verdict umount(CallerView caller, String target) throws Exception {
        return MountPolicy.decide(new Intercepted.Umount(target, 0), caller, CONTAINER);
    }

    @Test
    void procSysTheEmulatedFilesAndRootStayMounted() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of("/proc", 101L, "/proc/uptime", 102L, "/proc/sys", 103L,
                "/proc/sys/kernel/panic", 104L, "/sys/kernel", 106L, "/", 100L, "/sys", 105L));
        for (String target : List.of("/proc", "/proc/uptime", "/proc/sys", "/proc/sys/kernel/panic", "/sys/kernel", "/", "/sys")) {
            Verdict.Refuse refused = assertInstanceOf(Verdict.Refuse.class, umount(caller, target), target);
            assertEquals(MountPolicy.EBUSY, refused.errno());
        }
    }

    @Test
    void otherInitialMountsAreUnmountableUnlessForbidden() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of("/rw-vol", 108L));
        assertInstanceOf(Verdict.Proceed.class, umount(caller, "/rw-vol"));
        assertInstanceOf(Verdict.Refuse.class, MountPolicy.decide(new Intercepted.Umount("/rw-vol", 0), caller,
                container(new ImmutabilityOptions(false, false))));
    }

    @Test
    void aReplicaIsUnmountedWithItsSubmounts() throws Exception {
        String withReplica = INITIAL + "\n301 100 0:70 / /root/p rw - proc proc rw"
                + "\n302 301 0:60 /c1/proc/uptime /root/p/uptime ro - fuse.sysbox-fs sysboxfs ro";
        FakeCaller caller = root(withReplica, Map.of("/root/p", 301L, "/root/p/uptime", 302L));
        assertEquals(List.of("detach", "/root/p"),
                assertInstanceOf(Verdict.Perform.class, umount(caller, "/root/p")).job());
        assertInstanceOf(Verdict.Proceed.class, umount(caller, "/root/p/uptime"));
    }

    @Test
    void aPathThatIsNoMountPointGoesToTheKernel() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of("/proc/cpuinfo", 101L));
        assertInstanceOf(Verdict.Proceed.class, umount(caller, "/proc/cpuinfo"));
        assertInstanceOf(Verdict.Proceed.class, umount(caller, "/missing"));
    }

    @Test
    void aCallerWithoutSysAdminAlwaysGoesToTheKernel() throws Exception {
        FakeCaller caller = new FakeCaller(false, MountTable.parse(INITIAL), Map.of("/proc", 101L));
        assertInstanceOf(Verdict.Proceed.class, umount(caller, "/proc"));
        assertInstanceOf(Verdict.Proceed.class,
                MountPolicy.decide(new Intercepted.Mount("proc", "/x", "proc", 0, null), caller, CONTAINER));
    }

    @Test
    void aReadOnlyVolumeOrABindOfItStaysReadOnly() throws Exception {
        // Another mount namespace's copy (unshare -m): new ids, same device and root; and a bind of a directory in it.
        String copy = INITIAL.replace("107 100 8:1 /vol/ro /ro-vol", "207 100 8:1 /vol/ro /ro-vol")
                + "\n208 100 8:1 /vol/ro/sub /mnt/v ro,relatime - ext4 /dev/sda1 rw";
        FakeCaller caller = root(copy, Map.of("/ro-vol", 207L, "/mnt/v", 208L, "/rw-vol", 108L));
        long remountRw = Intercepted.MS_REMOUNT | Intercepted.MS_BIND;
        for (String target : List.of("/ro-vol", "/mnt/v")) {
            Verdict verdict = MountPolicy.decide(new Intercepted.Mount(null, target, null, remountRw, null), caller, CONTAINER);
            assertEquals(MountPolicy.EPERM, assertInstanceOf(Verdict.Refuse.class, verdict, target).errno());
        }
        assertInstanceOf(Verdict.Proceed.class, MountPolicy.decide(
                new Intercepted.Mount(null, "/rw-vol", null, remountRw | Intercepted.MS_RDONLY, null), caller, CONTAINER));
        assertInstanceOf(Verdict.Proceed.class, MountPolicy.decide(
                new Intercepted.Mount(null, "/ro-vol", null, remountRw, null), caller,
                container(new ImmutabilityOptions(true, true))));
    }

    @Test
    void procAndSysfsMountsBecomeReplicasCarryingTheInitsSubmounts() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of());
        Verdict.Perform proc = assertInstanceOf(Verdict.Perform.class, MountPolicy.decide(
                new Intercepted.Mount("proc", "/root/p", "proc", Intercepted.MS_RDONLY, null), caller, CONTAINER));
        assertEquals(List.of("replica", "proc", "proc", "1", "-", "/root/p", "/proc", "uptime", "sys"), proc.job());
        Verdict.Perform sys = assertInstanceOf(Verdict.Perform.class, MountPolicy.decide(
                new Intercepted.Mount("sysfs", "s", "sysfs", 0, ""), caller, CONTAINER));
        assertEquals(List.of("replica", "sysfs", "sysfs", "0", "-", "s", "/sys", "kernel"), sys.job());
    }

    @Test
    void aPlainBindOfProcBecomesRecursive() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of("/proc", 101L, "/rw-vol", 108L));
        Verdict.Perform bind = assertInstanceOf(Verdict.Perform.class, MountPolicy.decide(
                new Intercepted.Mount("/proc", "/x", null, Intercepted.MS_BIND, null), caller, CONTAINER));
        assertEquals(List.of("rbind", "/proc", "/x", Long.toString(Intercepted.MS_BIND)), bind.job());
        assertInstanceOf(Verdict.Proceed.class, MountPolicy.decide(
                new Intercepted.Mount("/proc", "/x", null, Intercepted.MS_BIND | Intercepted.MS_REC, null), caller, CONTAINER));
        assertInstanceOf(Verdict.Proceed.class, MountPolicy.decide(
                new Intercepted.Mount("/rw-vol", "/x", null, Intercepted.MS_BIND, null), caller, CONTAINER));
    }

    @Test
    void systemdsKernelFileSystemsAreCoveredAndTheRestGoesToTheKernel() throws Exception {
        FakeCaller caller = root(INITIAL, Map.of());
        for (String type : List.of("debugfs", "tracefs", "configfs")) {
            Verdict.Perform cover = assertInstanceOf(Verdict.Perform.class, MountPolicy.decide(
                    new Intercepted.Mount(type, "/sys/kernel/debug", type, 0, null), caller, CONTAINER));
            assertEquals(List.of("cover", "/sys/kernel/debug"), cover.job());
        }
        for (String type : List.of("tmpfs", "overlay", "cgroup")) {
            assertInstanceOf(Verdict.Proceed.class, MountPolicy.decide(
                    new Intercepted.Mount(type, "/mnt", type, 0, null), caller, CONTAINER));
        }
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        MountEntry e = MountEntry.parse("5 1 0:3 /a\\040b /mnt/x\\040y rw shared:1 - tmpfs tmpfs rw");
        assertEquals("/a b", e.root());
        assertEquals("/mnt/x y", e.mountPoint());
        assertEquals("tmpfs", e.fsType());
    }
}
