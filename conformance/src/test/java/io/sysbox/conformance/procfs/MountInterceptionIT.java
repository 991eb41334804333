package io.sysbox.conformance.procfs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, acceptance 1, 2, 4 and 5 (in part): sysbox-fs answers the mount and umount2 calls of a
 * system container through its seccomp filter. `mount -t proc` / `-t sysfs` and binds of /proc
 * give the container's emulated files, `-o ro` all read-only; the container's initial mounts
 * stay (/proc, /sys, the emulated files, /; a read-only volume stays read-only, also after
 * `unshare -m`, chroot and pivot_root); callers without CAP_SYS_ADMIN get the kernel's EPERM; paths
 * resolve as the caller sees them; a container sysbox-fs does not know gets EPERM; no listener
 * is left after 100 execs.
 */
class MountInterceptionIT {
    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;
    private static String id;

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("mountnotify");
        env = suite.env();
        fs = suite.fs();
        id = env.newContainerId("mounts");
        BusyboxBundle bundle = env.bundle(id);
        bundle.bindMount(env.directory("ro-volume"), "/ro-vol");
        bundle.bindMount(env.directory("rw-volume"), "/rw-vol");
        readOnly(bundle, "/ro-vol");
        bundle.write();
        CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), run.describe() + "\n" + fs.logTail());
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    /** Makes the spec's mount at DESTINATION read-only. */
    private static void readOnly(BusyboxBundle bundle, String destination) {
        for (var m : (ArrayNode) bundle.config().get("mounts")) {
            if (destination.equals(m.path("destination").asText())) {
                ((ObjectNode) m).putArray("options").add("rbind").add("ro");
            }
        }
    }

    private static CommandResult sh(String script) {
        return env.runc().run("exec", id, "sh", "-c", script);
    }

    private static String ok(String script) {
        CommandResult result = sh(script);
        assertTrue(result.succeeded(), result.describe() + "\n" + fs.logTail());
        return result.stdout().strip();
    }

    private static void refused(String script, String error) {
        CommandResult result = sh(script);
        assertFalse(result.succeeded(), "must fail: " + result.describe());
        assertTrue(result.stderr().contains(error), "\"" + error + "\" expected: " + result.describe());
    }

    private static double hostUptime() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    /** The emulated uptime is the container's age: far below the host's on any machine that ran this suite's build. */
    private static void assertContainerUptime(String file) throws IOException {
        double inside = Double.parseDouble(ok("cat " + file).split(" ")[0]);
        double own = Double.parseDouble(ok("cat /proc/uptime").split(" ")[0]);
        assertTrue(Math.abs(inside - own) < 30, file + " shows " + inside + ", the container's /proc/uptime " + own);
        assertTrue(hostUptime() - inside > 30, file + " shows " + inside + ", the host's uptime is " + hostUptime());
    }

    private static String memTotal(String file) {
        return ok("grep MemTotal " + file);
    }

    /** Mount points at or below DIR inside, with their per-mount options. */
    private static List<String> mountsBelow(String dir) {
        return ok("cat /proc/self/mountinfo").lines().map(l -> l.split(" "))
                .filter(f -> f[4].equals(dir) || f[4].startsWith(dir + "/")).map(f -> f[4] + " " + f[5]).toList();
    }

    @Test
    void procMountGivesTheContainersEmulatedFiles() throws IOException {
        ok("mkdir -p /root/p && mount -t proc proc /root/p");
        try {
            assertContainerUptime("/root/p/uptime");
            assertEquals(memTotal("/proc/meminfo"), memTotal("/root/p/meminfo"));
            ok("echo 7 > /proc/sys/kernel/panic");
            assertEquals("7", ok("cat /root/p/sys/kernel/panic"));
            ok("echo 3 > /root/p/sys/kernel/panic");
            assertEquals("3", ok("cat /proc/sys/kernel/panic"), "the replica's sysctl is the container's own");
        } finally {
            sh("umount -l /root/p");
        }
    }

    @Test
    void readOnlyProcMountIsReadOnlyThroughout() throws IOException {
        ok("mkdir -p /root/q && mount -t proc -o ro proc /root/q");
        try {
            assertContainerUptime("/root/q/uptime");
            List<String> mounts = mountsBelow("/root/q");
            assertTrue(mounts.size() > 3, "the emulated files stand on the replica: " + mounts);
            for (String m : mounts) assertTrue(m.split(" ")[1].startsWith("ro"), "read-only: " + mounts);
            refused("echo 5 > /root/q/sys/kernel/panic", "Read-only file system");
        } finally {
            sh("umount -l /root/q");
        }
    }

    @Test
    void bindAndRbindOfProcCarryTheEmulatedFiles() throws IOException {
        for (String how : List.of("--bind", "--rbind")) {
            ok("mkdir -p /root/b && mount " + how + " /proc /root/b");
            try {
                assertContainerUptime("/root/b/uptime");
                assertEquals(memTotal("/proc/meminfo"), memTotal("/root/b/meminfo"), how);
            } finally {
                sh("umount -l /root/b");
            }
        }
    }

    @Test
    void sysfsMountGivesTheContainersSys() {
        ok("mkdir -p /root/s && mount -t sysfs sysfs /root/s");
        try {
            assertEquals(ok("cat /sys/devices/virtual/dmi/id/product_uuid"),
                    ok("cat /root/s/devices/virtual/dmi/id/product_uuid"));
            assertEquals("", ok("ls -A /root/s/kernel/debug"), "the emulated empty directory");
            assertEquals(ok("cat /sys/devices/system/cpu/online"), ok("cat /root/s/devices/system/cpu/online"));
        } finally {
            sh("umount -l /root/s");
        }
    }

    @Test
    void initialProcSysAndRootCannotBeUnmounted() throws IOException {
        List<String> before = mountsBelow("/proc");
        for (String target : List.of("/proc/uptime", "/proc/meminfo", "/proc/sys", "/proc", "/sys/kernel", "/sys", "/")) {
            refused("umount " + target, "");
        }
        // The same through a relative path, a symbolic link and /proc/self.
        refused("cd /proc && umount uptime", "");
        refused("ln -sf /proc/meminfo /root/link && umount /root/link", "");
        refused("umount /proc/self/root/proc/uptime", "");
        assertEquals(before, mountsBelow("/proc"), "the layout is intact");
        assertContainerUptime("/proc/uptime");
    }

    @Test
    void readOnlyVolumeStaysReadOnly() {
        refused("mount -o remount,rw /ro-vol", "");
        refused("mount -o remount,bind,rw /ro-vol", "");
        refused("touch /ro-vol/x", "Read-only file system");
        refused("unshare -m sh -c 'mount -o remount,bind,rw /ro-vol'", "");
        refused("mkdir -p /root/c && mount --bind / /root/c && chroot /root/c mount -o remount,bind,rw /ro-vol; r=$?;"
                + " umount -l /root/c; exit $r", "");
        refused("unshare -m sh -c 'mkdir -p /root/new /root/new/old && mount --rbind / /root/new && cd /root/new"
                + " && pivot_root . old && mount -o remount,bind,rw /ro-vol'", "");
        // A bind of it is the same volume.
        refused("mkdir -p /root/v && mount --bind /ro-vol /root/v && mount -o remount,bind,rw /root/v; r=$?;"
                + " umount /root/v; exit $r", "");
    }

    @Test
    void readWriteVolumeCanBeMadeReadOnlyAndUnmounted() {
        ok("unshare -m sh -c 'mount -o remount,bind,ro /rw-vol && ! touch /rw-vol/x && umount /rw-vol'");
        ok("touch /rw-vol/y");
    }

    @Test
    void everythingElseGoesToTheKernel() {
        ok("mkdir -p /root/t && mount -t tmpfs -o size=1m tmpfs /root/t && touch /root/t/f && umount /root/t");
        CommandResult user = env.runc().run("exec", "--user", "1000:1000", id, "sh", "-c",
                "mkdir -p /tmp/u && mount -t proc proc /tmp/u");
        assertFalse(user.succeeded(), user.describe());
        assertTrue(user.stderr().contains("ermission denied") || user.stderr().contains("not permitted"),
                "the kernel's EPERM for a process without CAP_SYS_ADMIN: " + user.describe());
        CommandResult umount = env.runc().run("exec", "--user", "1000:1000", id, "umount", "/rw-vol");
        assertFalse(umount.succeeded(), umount.describe());
    }

    @Test
    void systemdsKernelFileSystemsMountOverTheEmptyDirectories() {
        for (String fsType : List.of("debugfs", "tracefs", "configfs")) {
            String target = switch (fsType) {
                case "debugfs" -> "/sys/kernel/debug";
                case "tracefs" -> "/sys/kernel/tracing";
                default -> "/sys/kernel/config";
            };
            ok("unshare -m sh -c 'mount -t " + fsType + " " + fsType + " " + target + " && grep -q \" " + target
                    + " \" /proc/self/mountinfo && test -z \"$(ls -A " + target + ")\"'");
        }
    }

    @Test
    void noListenerIsLeftAfterAHundredExecs() throws Exception {
        Path fds = Path.of("/proc", Long.toString(fs.pid()), "fd");
        ok("true");
        long before = count(fds);
        for (int i = 0; i < 100; i++) env.runc().run("exec", id, "true").requireSuccess();
        long after = count(fds);
        for (int wait = 0; wait < 60 && after > before; wait++) {
            Thread.sleep(500);
            after = count(fds);
        }
        assertTrue(after <= before, "sysbox-fs had " + before + " descriptors before 100 execs, " + after + " after");
        ok("mkdir -p /root/t2 && mount -t proc proc /root/t2 && umount /root/t2");
    }

    @Test
    void callersKilledMidCallLeaveTheHandlerServing() {
        ok("mkdir -p /root/k; for i in 1 2 3 4 5 6 7 8 9 10; do mount -t proc proc /root/k & kill -9 $! ; done; wait;"
                + " true");
        sh("umount -l /root/k; umount -l /root/k; true");
        refused("umount /proc/uptime", "");
        ok("mkdir -p /root/k2 && mount -t proc proc /root/k2 && umount /root/k2 && ! grep -q /root/k2 /proc/self/mountinfo");
    }

    /**
     * A plain runc container (no sysbox-runc: sysbox-fs never registered it) whose filter hands its
     * mounts to sysbox-fs: they fail with EPERM, where the kernel would have let its CAP_SYS_ADMIN root mount.
     */
    @Test
    void anUnknownContainersCallsAreRefused() throws Exception {
        String plain = "unknown-" + Long.toHexString(System.nanoTime());
        Path runcRoot = env.directory("plain-runc-root");
        BusyboxBundle bundle = BusyboxBundle.forRunc(env.work().resolve("bundles").resolve(plain), env.runner(),
                env.cgroups().pathFor(plain));
        bundle.args("sh", "-c", "mkdir -p /mnt/t; mount -t tmpfs tmpfs /mnt/t; echo rc=$?; mount -t tmpfs tmpfs /mnt/t 2>&1");
        bundle.capabilities("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID");
        ObjectNode seccomp = bundle.linux().putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.put("listenerPath", env.manager().dirs().runDir().resolve("sysfs-seccomp.sock").toString());
        seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_NOTIFY").putArray("names").add("mount");
        bundle.write();
        CommandResult run = env.runner().run(List.of(io.sysbox.conformance.Prerequisites.RUNC.toString(), "--root",
                runcRoot.toString(), "run", "--bundle", bundle.dir().toString(), plain));
        try {
            assertTrue(run.stdout().contains("rc=1"), run.describe());
            assertTrue(run.stdout().contains("permission denied") || run.stdout().contains("not permitted"), run.describe());
            assertTrue(fs.log().contains("seccomp listener for container " + plain + ", which is not registered"),
                    fs.logTail());
        } finally {
            env.runner().run(List.of(io.sysbox.conformance.Prerequisites.RUNC.toString(), "--root", runcRoot.toString(),
                    "delete", "--force", plain));
        }
    }

    private static long count(Path dir) throws IOException {
        try (var list = Files.list(dir)) {
            return list.count();
        }
    }
}
