package io.sysbox.conformance.procfs;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 2 to 7: a system container's own /proc/sys (sysbox-fs's files bound by the
 * createRuntime hook, the rest the kernel's in the container's namespaces), its /sys/kernel,
 * /sys/devices/virtual (its own net directory kept) and product_uuid. Container "one" is written to; container "two" and the host only watch.
 */
class ProcSysIT {
    private static final Path HOST_SYS = Path.of("/proc/sys");

    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;
    private static String one;
    private static String two;

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("procsys");
        env = suite.env();
        fs = suite.fs();
        one = startSleeping("one");
        two = startSleeping("two");
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    private static String startSleeping(String hint) throws IOException {
        String id = env.newContainerId(hint);
        BusyboxBundle bundle = env.bundle(id);
        CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), run.describe() + "\n" + fs.logTail());
        return id;
    }

    /** `sh -c SCRIPT` in container ID as root; its result whatever the exit status. */
    private static CommandResult sh(String id, String script) {
        return env.runc().run("exec", id, "sh", "-c", script);
    }

    private static String ok(CommandResult result) {
        assertTrue(result.succeeded(), result.describe());
        return result.stdout().strip();
    }

    /** The value of SYSCTL (path below /proc/sys) inside container ID. */
    private static String inside(String id, String sysctl) {
        return ok(sh(id, "cat /proc/sys/" + sysctl));
    }

    private static String host(String sysctl) throws IOException {
        // Files.readString reads procfs sysctl files short (they report size 0).
        return String.join("\n", Files.readAllLines(HOST_SYS.resolve(sysctl))).strip();
    }

    /** Writes VALUE to SYSCTL inside container ID and answers the result. */
    private static CommandResult write(String id, String sysctl, String value) {
        return sh(id, "echo " + value + " > /proc/sys/" + sysctl);
    }

    private static void assertRefused(CommandResult result, String error) {
        assertFalse(result.succeeded(), "the write must fail: " + result.describe());
        assertTrue(result.stderr().contains(error), "\"" + error + "\" expected: " + result.describe());
    }

    /** The mount points below /proc/sys inside container ID. */
    /** Mount point → super options (after " - type source "), of the mounts under /proc/sys. */
    private static Map<String, String> procSysMounts(String id) {
        Map<String, String> mounts = new HashMap<>();
        for (String line : ok(sh(id, "cat /proc/self/mountinfo")).split("\n")) {
            String point = line.split(" ")[4];
            String[] after = line.substring(line.indexOf(" - ") + 3).split(" ");
            if (point.startsWith("/proc/sys/")) mounts.put(point, after[after.length - 1]);
        }
        return mounts;
    }

    @Test
    void theHookBindsSysboxFsFilesOverTheContainersProcSysOnly() throws Exception {
        Map<String, String> mounts = procSysMounts(two);
        for (String sysctl : List.of("kernel/panic", "vm/overcommit_memory", "net/netfilter/nf_conntrack_max")) {
            assertTrue(mounts.getOrDefault("/proc/sys/" + sysctl, "").startsWith("rw"),
                    sysctl + " bound from sysbox-fs's read-write connection: " + mounts);
        }
        // What no container can write comes from the read-only connection (no GETATTR per read).
        for (String sysctl : List.of("kernel/cap_last_cap", "kernel/ngroups_max", "kernel/random/uuid")) {
            assertTrue(mounts.getOrDefault("/proc/sys/" + sysctl, "").startsWith("ro"),
                    sysctl + " bound from sysbox-fs's read-only connection: " + mounts);
        }
        // Namespaced and refused-by-the-kernel sysctls stay the kernel's (EmulatedSysctls).
        for (String sysctl : List.of("kernel/pid_max", "net/ipv4/ip_forward", "vm/swappiness")) {
            assertFalse(mounts.containsKey("/proc/sys/" + sysctl), sysctl + " must stay the kernel's: " + mounts);
        }
        String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(hostMounts.contains(" /proc/sys/kernel/panic "), "nothing bound on the host's /proc/sys");
    }

    @Test
    void noSysboxFsBindsNothingOverProcSys() throws Exception {
        String id = env.newContainerId("nofs");
        BusyboxBundle bundle = env.bundle(id).args("sh", "-c", "grep -c ' /proc/sys/' /proc/self/mountinfo; true").write();
        CommandResult run = env.runc().run("--no-sysbox-fs", "run", "--bundle", bundle.dir().toString(), id);
        assertEquals("0", ok(run), "no hook binds with --no-sysbox-fs");
    }

    @Test
    void perContainerSysctlsChangeForThatContainerOnly() throws Exception {
        String panic = host("kernel/panic");
        String overcommit = host("vm/overcommit_memory");
        String newPanic = Integer.toString(Integer.parseInt(panic) + 17);
        String newOvercommit = Integer.toString((Integer.parseInt(overcommit) + 1) % 3);
        assertEquals(panic, inside(one, "kernel/panic"), "a new container starts with the host's value");

        ok(write(one, "kernel/panic", newPanic));
        ok(write(one, "vm/overcommit_memory", newOvercommit));
        assertEquals(newPanic, inside(one, "kernel/panic"));
        assertEquals(newOvercommit, inside(one, "vm/overcommit_memory"));
        assertEquals(panic, host("kernel/panic"), "the host's kernel.panic");
        assertEquals(overcommit, host("vm/overcommit_memory"), "the host's vm.overcommit_memory");
        assertEquals(panic, inside(two, "kernel/panic"), "the other container's kernel.panic");
        assertEquals(overcommit, inside(two, "vm/overcommit_memory"), "the other container's vm.overcommit_memory");

        assertRefused(write(one, "vm/overcommit_memory", "3"), "Invalid argument");
        assertRefused(write(one, "kernel/panic", "x12"), "Invalid argument");
        assertEquals(newOvercommit, inside(one, "vm/overcommit_memory"), "a refused write changes nothing");
        assertEquals(newPanic, inside(one, "kernel/panic"), "a refused write changes nothing");
    }

    @Test
    void pidMaxIsTheContainersPidNamespacesOwn() throws Exception {
        // Since 6.14 the kernel keeps pid_max per pid namespace (a new one starts at the kernel's
        // limit, allocation still bounded by every ancestor's): the container's root may lower its
        // own, which neither the host nor another container sees.
        String pidMax = host("kernel/pid_max");
        String twoPidMax = inside(two, "kernel/pid_max");
        String lower = Integer.toString(Math.min(Integer.parseInt(inside(one, "kernel/pid_max")),
                Integer.parseInt(pidMax)) / 2);
        ok(write(one, "kernel/pid_max", lower));
        assertEquals(lower, inside(one, "kernel/pid_max"));
        assertEquals(pidMax, host("kernel/pid_max"), "the host's kernel.pid_max");
        assertEquals(twoPidMax, inside(two, "kernel/pid_max"), "the other container's kernel.pid_max");
        assertRefused(write(one, "kernel/pid_max", "0"), "Invalid argument");
        assertEquals(lower, inside(one, "kernel/pid_max"));
    }

    @Test
    void bootConstantsShowTheHostsValueAndCannotBeWritten() throws Exception {
        for (String sysctl : List.of("kernel/cap_last_cap", "kernel/ngroups_max")) {
            String value = host(sysctl);
            assertEquals(value, inside(one, sysctl), sysctl);
            CommandResult result = write(one, sysctl, "7");
            assertFalse(result.succeeded(), sysctl + " must not be writable: " + result.describe());
            assertEquals(value, inside(one, sysctl), sysctl + " after the refused write");
            assertEquals(value, host(sysctl), "the host's " + sysctl);
        }
    }

    @Test
    void networkSysctlsFollowTheWritersNetworkNamespace() throws Exception {
        String hostForward = host("net/ipv4/ip_forward");
        String hostTtl = host("net/ipv4/ip_default_ttl");
        String twoForward = inside(two, "net/ipv4/ip_forward");
        String twoTtl = inside(two, "net/ipv4/ip_default_ttl");
        String forward = "1".equals(inside(one, "net/ipv4/ip_forward")) ? "0" : "1";
        String ttl = "77".equals(hostTtl) ? "78" : "77";

        ok(write(one, "net/ipv4/ip_forward", forward));
        ok(write(one, "net/ipv4/ip_default_ttl", ttl));
        assertEquals(forward, inside(one, "net/ipv4/ip_forward"));
        assertEquals(ttl, inside(one, "net/ipv4/ip_default_ttl"));
        assertEquals(hostForward, host("net/ipv4/ip_forward"), "the host's ip_forward");
        assertEquals(hostTtl, host("net/ipv4/ip_default_ttl"), "the host's ip_default_ttl");
        assertEquals(twoForward, inside(two, "net/ipv4/ip_forward"), "the other container's ip_forward");
        assertEquals(twoTtl, inside(two, "net/ipv4/ip_default_ttl"), "the other container's ip_default_ttl");
        // A network namespace made inside starts from the kernel's default (IPDEFTTL), not the writer's.
        assertEquals("64", ok(sh(one, "unshare -n cat /proc/sys/net/ipv4/ip_default_ttl")));
    }

    @Test
    void globalKnobsAreReadableButNotWritable() throws Exception {
        for (String sysctl : List.of("vm/swappiness", "kernel/threads-max", "fs/pipe-max-size")) {
            String value = host(sysctl);
            assertEquals(value, inside(one, sysctl), sysctl);
            String other = Long.toString(Long.parseLong(value) - 1);
            CommandResult result = write(one, sysctl, other);
            assertFalse(result.succeeded(), sysctl + " must not be writable: " + result.describe());
            assertEquals(value, inside(one, sysctl), sysctl + " after the refused write");
            assertEquals(value, host(sysctl), "the host's " + sysctl);
        }
    }

    @Test
    void nfConntrackMaxIsLoweredInsideOnly() throws Exception {
        String sysctl = "net/netfilter/nf_conntrack_max";
        assertTrue(Files.exists(HOST_SYS.resolve(sysctl)), "nf_conntrack is loaded on this host");
        String value = host(sysctl);
        String smaller = Long.toString(Long.parseLong(value) / 2);
        assertEquals(value, inside(one, sysctl));
        ok(write(one, sysctl, smaller));
        assertEquals(smaller, inside(one, sysctl));
        assertEquals(value, host(sysctl), "the host's nf_conntrack_max is never lowered");
        assertEquals(value, inside(two, sysctl), "the other container's nf_conntrack_max");
    }

    @Test
    void onlyRootInsideWritesARootOnlyNode() throws Exception {
        String sysctl = "kernel/panic_on_oops";
        String value = inside(one, sysctl);
        String other = "0".equals(value) ? "1" : "0";
        CommandResult user = env.runc().run("exec", "--user", "1000:1000", one, "sh", "-c",
                "echo " + other + " > /proc/sys/" + sysctl);
        assertRefused(user, "Permission denied");
        assertEquals(value, inside(one, sysctl), "a non-root user's write changes nothing");
        ok(write(one, sysctl, other));
        assertEquals(other, inside(one, sysctl), "root inside may write it");
        assertEquals(value, host(sysctl), "the host's " + sysctl);
    }

    @Test
    void kernelFileSystemDirectoriesExistAndAreEmpty() {
        // Whether or not this kernel has them (this VM has no configfs): sysbox-fs serves /sys/kernel whole.
        for (String dir : List.of("config", "debug", "tracing", "security")) {
            assertEquals("0", ok(sh(one, "test -d /sys/kernel/" + dir + " && ls -A /sys/kernel/" + dir + " | wc -l")),
                    "/sys/kernel/" + dir + " exists and is empty");
        }
    }

    @Test
    void sysKernelShowsTheHostsOtherNodesReadOnly() throws IOException {
        assertEquals(Files.readString(Path.of("/sys/kernel/address_bits")).strip(), ok(sh(one, "cat /sys/kernel/address_bits")));
        assertTrue(ok(sh(one, "ls /sys/kernel/mm")).contains("transparent_hugepage")
                == Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage")), "kernel/mm as the host's");
        assertEquals("0 0", ok(sh(one, "stat -c '%u %g' /sys/kernel/address_bits")), "owned by root inside");
        assertRefused(sh(one, "echo 1 > /sys/kernel/rcu_expedited"), "Permission denied");
    }

    @Test
    void productUuidIsStablePerContainerAndDiffersBetweenThem() {
        // Served whether or not the host has DMI data (this VM has none: the prefix then comes from its machine id).
        String file = "/sys/devices/virtual/dmi/id/product_uuid";
        String first = ok(sh(one, "cat " + file));
        assertTrue(first.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), first);
        assertEquals(first, ok(sh(one, "cat " + file)), "re-read");
        String second = ok(sh(two, "cat " + file));
        assertNotEquals(first, second, "another container's");
        assertEquals(first.substring(0, 24), second.substring(0, 24), "one host prefix");
    }

    @Test
    void sysDevicesVirtualNetIsTheContainersOwn() {
        // Its own network namespace has only lo; the host's devices stay the host's.
        assertEquals("lo", ok(sh(one, "ls /sys/devices/virtual/net")));
        assertEquals("1", ok(sh(one, "cat /sys/class/net/lo/ifindex")));
        assertEquals("/sys/devices/virtual/net/lo", ok(sh(one, "readlink -f /sys/class/net/lo")));
        assertEquals("lo", ok(sh(one, "ls /sys/class/net")));
        // The rest of /sys/devices/virtual is sysbox-fs's pass-through of the host's.
        assertTrue(ok(sh(one, "ls /sys/devices/virtual")).contains("dmi"));
        assertEquals(ok(sh(one, "ls /sys/devices/virtual/misc")).replace("\n", " "),
                String.join(" ", hostNames("/sys/devices/virtual/misc")));
    }

    private static List<String> hostNames(String dir) {
        try (var names = Files.list(Path.of(dir))) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void randomUuidIsNewOnEveryRead() {
        String out = ok(sh(one, "for i in 1 2 3 4 5 6 7 8 9 10; do cat /proc/sys/kernel/random/uuid; done"));
        List<String> uuids = List.of(out.split("\n"));
        assertEquals(10, uuids.size(), out);
        for (String uuid : uuids) {
            assertTrue(uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), uuid);
        }
        assertEquals(10, new HashSet<>(uuids).size(), "ten distinct: " + out);
    }

    /**
     * The hook cannot bind when the container's /proc is not there (here a caller's own
     * createRuntime hook, run before it, unmounts it): create fails with the hook's message and
     * leaves no container, no sysbox state and no mounts behind.
     */
    @Test
    void aFailingHookFailsCreateAndLeavesNothing() throws Exception {
        String id = env.newContainerId("hookfails");
        // The hook's state names the caller's bundle (issue 9); the rootfs runc mounted is the
        // converted spec's, in sysbox-runc's private directory for the container.
        Path converted = env.runc().root().resolve("sysbox").resolve(id).resolve("config.json");
        Path script = env.directory("hooks").resolve("unmount-proc.sh");
        Files.writeString(script, """
                #!/bin/sh
                state=$(cat)
                pid=$(echo "$state" | sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p')
                root=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["root"]["path"])' "%s")
                exec nsenter -t "$pid" -m umount -l "$root/proc"
                """.formatted(converted));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        BusyboxBundle bundle = env.bundle(id);
        bundle.config().putObject("hooks").putArray("createRuntime").addObject().put("path", script.toString());
        bundle.write();
        Set<String> fsBefore = containerDirs();
        List<String> leaksBefore = env.leakCheck().leaks(); // containers one and two

        CommandResult create = env.runc().run("create", "--bundle", bundle.dir().toString(), id);
        assertFalse(create.succeeded(), create.describe());
        assertTrue(create.stderr().contains("sysbox-procsys-hook: cannot open destination ")
                && create.stderr().contains("/proc/sys/"), "the hook's own message: " + create.describe());
        assertFalse(env.runc().run("state", id).succeeded(), "no container " + id + " left");
        assertEquals(leaksBefore, leaksOnceSettled(leaksBefore), "nothing of " + id + " left");
        assertEquals(fsBefore, containerDirs(), "sysbox-fs dropped " + id);
    }

    /** The leaks once they are back to EXPECTED, or after a few seconds (release can trail). */
    private static List<String> leaksOnceSettled(List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> leaks = env.leakCheck().leaks();
        while (!leaks.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            leaks = env.leakCheck().leaks();
        }
        return leaks;
    }

    private static Set<String> containerDirs() throws IOException {
        try (var dirs = Files.list(fs.mountpoint())) {
            return new HashSet<>(dirs.map(p -> p.getFileName().toString()).toList());
        }
    }
}
