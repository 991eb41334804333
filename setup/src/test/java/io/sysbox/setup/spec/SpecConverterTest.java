package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecConverterTest {

    private static final RuntimeCapabilities CAPS = RuntimeCapabilities.ofThisProcess();
    private static final List<String> SETS = List.of("bounding", "effective", "inheritable", "permitted", "ambient");

    private static Spec converted(Spec spec) {
        SpecConverter.convert(spec, TestSpecs.inputs(CAPS));
        return spec;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    private static List<Mount> mountsAt(Spec spec, String destination) {
        return spec.mountList().stream().filter(m -> m.destination().equals(destination)).toList();
    }

    private static Mount mountAt(Spec spec, String destination) {
        List<Mount> found = mountsAt(spec, destination);
        assertEquals(1, found.size(), destination + " in " + spec.mounts());
        return found.getFirst();
    }

    /** A minimal spec with the mounts MOUNTS (JSON objects, comma-separated). */
    private static Spec withMounts(String mounts) {
        return TestSpecs.parse("{\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"]}, \"mounts\": ["
                + mounts + "], \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}");
    }

    private static List<String> destinations(Spec spec) {
        return spec.mountList().stream().map(Mount::destination).toList();
    }

    private static int indexOf(Spec spec, String destination) {
        List<Mount> mounts = spec.mountList();
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i).destination().equals(destination)) return i;
        }
        return -1;
    }

    /** runc mounts in array order: nothing may be mounted before a mount that covers its parent directory. */
    private static void assertParentsFirst(Spec spec) {
        List<Mount> mounts = spec.mountList();
        for (int i = 0; i < mounts.size(); i++) {
            for (int j = i + 1; j < mounts.size(); j++) {
                String later = mounts.get(j).destination();
                String earlier = mounts.get(i).destination();
                assertFalse(earlier.startsWith(later + "/"), earlier + " is mounted before its parent " + later);
            }
        }
    }

    private static void setArgs(Spec spec, String... args) {
        ArrayNode array = spec.process().putArray("args");
        for (String a : args) array.add(a);
    }

    // ---- the user-namespace part (applied in every mode) ----

    @Test
    void pointsRootAndReplacedMountSourcesAtThePreparedPaths() {
        Spec spec = TestSpecs.docker();
        assertEquals("/etc/resolv.conf", spec.mountList().get(7).destination());
        ConversionInputs base = TestSpecs.inputs(CAPS);
        SpecConverter.convert(spec, new ConversionInputs(base.uidMapping(), base.gidMapping(), base.rootfs(),
                Map.of(7, "/var/lib/sysbox/shifted/c1/mounts/7"), CAPS, false, true, base.cgroupsPath(),
                Optional.empty(), Optional.empty()));
        assertEquals(Optional.of("/var/lib/sysbox/shifted/c1/rootfs"), spec.rootPath());
        assertEquals("/var/lib/sysbox/shifted/c1/mounts/7", mountAt(spec, "/etc/resolv.conf").source());
        assertEquals("/var/lib/docker/containers/4f1c0e2d9a7b/hosts", mountAt(spec, "/etc/hosts").source());
    }

    @Test
    void refusesAMountSourceIndexOutsideTheSpec() {
        ConversionInputs base = TestSpecs.inputs(CAPS);
        ConversionInputs bad = new ConversionInputs(base.uidMapping(), base.gidMapping(), base.rootfs(),
                Map.of(99, "/x"), CAPS, false, true, base.cgroupsPath(), Optional.empty(), Optional.empty());
        assertThrows(IllegalArgumentException.class, () -> SpecConverter.convert(TestSpecs.docker(), bad));
        assertThrows(IllegalArgumentException.class, () -> new ConversionInputs(base.uidMapping(),
                base.gidMapping(), "relative/rootfs", Map.of(), CAPS, false, true, "x", Optional.empty(), Optional.empty()));
    }

    @Test
    void addsUserAndCgroupNamespacesWithTheGivenMapping() {
        Spec spec = converted(TestSpecs.docker());
        List<Namespace> ns = spec.namespaces();
        assertEquals(List.of("mount", "network", "uts", "pid", "ipc", "user", "cgroup"),
                ns.stream().map(Namespace::type).toList());
        assertTrue(ns.stream().noneMatch(Namespace::joinsExisting));
        assertEquals(List.of(TestSpecs.UIDS), spec.uidMappings());
        assertEquals(List.of(TestSpecs.GIDS), spec.gidMappings());
        assertEquals("/sysbox-test/c1", spec.linux().get("cgroupsPath").asText());
    }

    @Test
    void joinsTheOwnersUserNamespaceAndKeepsItsMapping() {
        Spec spec = TestSpecs.docker();
        Spec.arrayIn(spec.linux(), "namespaces").addObject().put("type", "user");
        Spec.arrayIn(spec.linux(), "namespaces").addObject().put("type", "cgroup").put("path", "/proc/4242/ns/cgroup");
        IdMapping owner = new IdMapping(0, 231072, 65536);
        ConversionInputs base = TestSpecs.inputs(CAPS);
        SpecConverter.convert(spec, new ConversionInputs(owner, owner, base.rootfs(), Map.of(), CAPS, false, true,
                base.cgroupsPath(), Optional.of("/proc/4242/ns/user"), Optional.empty()));
        List<Namespace> users = spec.namespaces().stream().filter(n -> n.type().equals("user")).toList();
        assertEquals(List.of(new Namespace("user", "/proc/4242/ns/user")), users);
        List<Namespace> cgroups = spec.namespaces().stream().filter(n -> n.type().equals("cgroup")).toList();
        assertEquals(List.of(new Namespace("cgroup", "/proc/4242/ns/cgroup")), cgroups);
        assertEquals(List.of(owner), spec.uidMappings());
        assertEquals(List.of(owner), spec.gidMappings());
    }

    @Test
    void replacesMappingsTheSpecAlreadyHad() {
        Spec spec = TestSpecs.docker();
        new IdMapping(0, 100000, 1000).addTo(Spec.arrayIn(spec.linux(), "uidMappings"));
        new IdMapping(1000, 101000, 64536).addTo(Spec.arrayIn(spec.linux(), "uidMappings"));
        new IdMapping(0, 100000, 65536).addTo(Spec.arrayIn(spec.linux(), "gidMappings"));
        converted(spec);
        assertEquals(List.of(TestSpecs.UIDS), spec.uidMappings());
        assertEquals(List.of(TestSpecs.GIDS), spec.gidMappings());
    }

    @Test
    void clampsDockersPingGroupRangeToTheContainersGids() {
        Map<String, String> cases = Map.of(
                "0 2147483647", "0 65535",
                "100 70000", "100 65535",
                "1000\t2000", "1000\t2000",
                "70000 80000", "1 0",
                "1 0", "1 0",
                "bogus", "bogus");
        for (var c : cases.entrySet()) {
            Spec spec = TestSpecs.docker();
            Spec.objectIn(spec.linux(), "sysctl").put("net.ipv4.ping_group_range", c.getKey());
            converted(spec);
            assertEquals(c.getValue(), spec.linux().get("sysctl").get("net.ipv4.ping_group_range").asText(), c.getKey());
        }
        Spec none = TestSpecs.docker();
        none.linux().remove("sysctl");
        assertNull(converted(none).linux().get("sysctl"));
    }

    // ---- capabilities ----

    @Test
    void rootGetsEveryCapabilityTheRuntimeHoldsInAllFiveSets() {
        Spec spec = converted(TestSpecs.docker());
        JsonNode caps = spec.process().get("capabilities");
        for (String set : SETS) assertEquals(CAPS.names(), strings(caps.get(set)), set);
        assertEquals(5, caps.size());
    }

    @Test
    void otherUsersGetOnlyTheBoundingSet() {
        Spec spec = TestSpecs.docker();
        Spec.objectIn(spec.process(), "user").put("uid", 1000).put("gid", 1000);
        converted(spec);
        JsonNode caps = spec.process().get("capabilities");
        assertEquals(CAPS.names(), strings(caps.get("bounding")));
        for (String set : SETS.subList(1, SETS.size())) assertEquals(List.of(), strings(caps.get(set)), set);
    }

    @Test
    void honorCapsKeepsTheSpecsCapabilities() {
        Spec spec = TestSpecs.docker();
        JsonNode before = spec.process().get("capabilities").deepCopy();
        SpecConverter.convert(spec, TestSpecs.withHonorCaps(TestSpecs.inputs(CAPS), true));
        assertEquals(before, spec.process().get("capabilities"));
        assertEquals(14, spec.process().get("capabilities").get("bounding").size());
    }

    @Test
    void appliesTheSameRuleToAnExecProcess() {
        ObjectNode root = (ObjectNode) TestSpecs.parse("""
                {"user": {"uid": 0, "gid": 0}, "args": ["bash"], "cwd": "/", "capabilities": {"bounding": ["CAP_KILL"]}}
                """).json();
        SpecConverter.applyCapabilities(root, CAPS, false);
        for (String set : SETS) assertEquals(CAPS.names(), strings(root.get("capabilities").get(set)));

        ObjectNode user = (ObjectNode) TestSpecs.parse("""
                {"user": {"uid": 33, "gid": 33}, "args": ["bash"], "cwd": "/"}
                """).json();
        SpecConverter.applyCapabilities(user, CAPS, false);
        assertEquals(CAPS.names(), strings(user.get("capabilities").get("bounding")));
        assertEquals(List.of(), strings(user.get("capabilities").get("effective")));
        assertEquals(List.of("bash"), strings(user.get("args")));

        ObjectNode kept = (ObjectNode) TestSpecs.parse("""
                {"user": {"uid": 0}, "capabilities": {"bounding": ["CAP_KILL"]}}
                """).json();
        SpecConverter.applyCapabilities(kept, CAPS, true);
        assertEquals(List.of("CAP_KILL"), strings(kept.get("capabilities").get("bounding")));
        assertNull(kept.get("capabilities").get("effective"));
    }

    // ---- mounts ----

    @Test
    void makesProcSysAndCgroupWritable() {
        Spec spec = converted(TestSpecs.docker());
        assertFalse(mountAt(spec, "/proc").options().contains("ro"));
        Mount sys = mountAt(spec, "/sys");
        assertEquals("sysfs", sys.type());
        assertEquals(List.of("nosuid", "noexec", "nodev"), sys.options());
        Mount cgroup = mountAt(spec, "/sys/fs/cgroup");
        assertEquals("cgroup", cgroup.type());
        assertEquals(List.of("nosuid", "noexec", "nodev"), cgroup.options());
    }

    @Test
    void keepsTheDevTmpfsAndBindsDevNullOverKmsg() {
        Spec spec = converted(TestSpecs.docker());
        Mount dev = mountAt(spec, "/dev");
        assertEquals("tmpfs", dev.type());
        assertEquals(List.of("nosuid", "strictatime", "mode=755", "size=65536k"), dev.options());
        Mount kmsg = mountAt(spec, "/dev/kmsg");
        assertTrue(kmsg.isBind(), kmsg.toString());
        assertEquals("/dev/null", kmsg.source());
        assertTrue(indexOf(spec, "/dev") < indexOf(spec, "/dev/kmsg"));
        assertParentsFirst(spec);
    }

    @Test
    void keepsEveryOtherDockerMountInOrder() {
        Spec spec = converted(TestSpecs.docker());
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                        "/etc/resolv.conf", "/etc/hostname", "/etc/hosts", "/dev/kmsg"),
                destinations(spec));
        assertEquals(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                mountAt(spec, "/dev/pts").options());
    }

    @Test
    void addsTheKernelFilesystemsASpecLacksAndReplacesANonTmpfsDev() {
        Spec spec = TestSpecs.parse("""
                {"root": {"path": "rootfs"}, "process": {"args": ["sh"]},
                 "mounts": [
                   {"destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"]},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["newinstance"]},
                   {"destination": "/sys/fs/cgroup/memory", "type": "bind", "source": "/sys/fs/cgroup/memory"},
                   {"destination": "/sys/fs/cgroup/", "type": "bind", "source": "/sys/fs/cgroup", "options": ["rbind", "ro"]},
                   {"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["rbind"]}
                 ],
                 "linux": {"namespaces": [{"type": "pid"}]}}
                """);
        converted(spec);
        assertEquals("tmpfs", mountAt(spec, "/dev").type());
        assertEquals("/dev/null", mountAt(spec, "/dev/kmsg").source());
        assertEquals("proc", mountAt(spec, "/proc").type());
        assertEquals("sysfs", mountAt(spec, "/sys").type());
        Mount cgroup = mountAt(spec, "/sys/fs/cgroup");
        assertEquals("cgroup", cgroup.type());
        assertFalse(cgroup.options().contains("ro"));
        assertTrue(mountsAt(spec, "/sys/fs/cgroup/memory").isEmpty());
        assertTrue(indexOf(spec, "/dev") < indexOf(spec, "/dev/pts"));
        assertParentsFirst(spec);
    }

    /** The runtime spec: mounts are mounted in array order; runtime-tools checks it in mountinfo. */
    @Test
    void theSpecsOwnMountsKeepTheirOrderAndAddedOnesFollowTheirParents() {
        Spec spec = withMounts("""
                   {"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
                   {"destination": "/dev/shm", "type": "tmpfs", "source": "shm"},
                   {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue"},
                   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]},
                   {"destination": "/mnt/b", "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"}
                """);
        Spec.objectIn(spec.json(), "root").put("readonly", true);
        converted(spec);
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/mnt/b", "/mnt",
                "/sys/fs/cgroup", "/dev/kmsg", "/run", "/tmp"), destinations(spec));
    }

    @Test
    void anAddedMountGoesBeforeTheSpecsMountsBelowIt() {
        Spec spec = withMounts("""
                   {"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
                   {"destination": "/sys/kernel/security", "type": "securityfs", "source": "securityfs"},
                   {"destination": "/etc/hosts", "type": "bind", "source": "/srv/hosts", "options": ["rbind"]}
                """);
        converted(spec);
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/sys", "/sys/kernel/security", "/etc/hosts",
                "/sys/fs/cgroup", "/dev/kmsg"), destinations(spec));
        assertParentsFirst(spec);
    }

    @Test
    void dropsEveryMountBelowSysFsCgroup() {
        Spec spec = TestSpecs.docker();
        ArrayNode mounts = spec.mounts();
        mounts.addObject().put("destination", "/sys/fs/cgroup/systemd").put("type", "bind").put("source", "/sys/fs/cgroup/systemd");
        mounts.addObject().put("destination", "/sys/fs/cgroup/unified/x").put("type", "tmpfs").put("source", "tmpfs");
        mounts.addObject().put("destination", "/sys/fs/cgroupx").put("type", "tmpfs").put("source", "tmpfs");
        converted(spec);
        assertTrue(spec.mountList().stream().noneMatch(m -> m.destination().startsWith("/sys/fs/cgroup/")));
        assertEquals(1, mountsAt(spec, "/sys/fs/cgroup").size());
        assertEquals(1, mountsAt(spec, "/sys/fs/cgroupx").size());
    }

    @Test
    void bindsLibModulesReadOnlyWhenGiven() {
        Spec spec = TestSpecs.docker();
        ConversionInputs base = TestSpecs.inputs(CAPS);
        SpecConverter.convert(spec, new ConversionInputs(base.uidMapping(), base.gidMapping(), base.rootfs(),
                Map.of(), CAPS, false, true, base.cgroupsPath(), Optional.empty(), Optional.of("/lib/modules/6.18.0-test")));
        Mount modules = mountAt(spec, "/lib/modules/6.18.0-test");
        assertEquals("/lib/modules/6.18.0-test", modules.source());
        assertTrue(modules.isBind() && modules.options().contains("ro"), modules.toString());
        assertTrue(mountsAt(converted(TestSpecs.docker()), "/lib/modules/6.18.0-test").isEmpty());
    }

    @Test
    void readOnlyRootGetsWritableRunAndTmpAndReadOnlySys() {
        Spec spec = TestSpecs.docker();
        Spec.objectIn(spec.json(), "root").put("readonly", true);
        converted(spec);
        assertTrue(mountAt(spec, "/sys").options().contains("ro"));
        Mount run = mountAt(spec, "/run");
        Mount tmp = mountAt(spec, "/tmp");
        assertEquals("tmpfs", run.type());
        assertEquals("tmpfs", tmp.type());
        assertFalse(run.options().contains("ro") || tmp.options().contains("ro"));
        assertFalse(mountAt(spec, "/sys/fs/cgroup").options().contains("ro"));
        assertTrue(spec.rootReadonly());
        assertParentsFirst(spec);
    }

    @Test
    void readOnlyRootKeepsTheSpecsOwnTmp() {
        Spec spec = TestSpecs.docker();
        Spec.objectIn(spec.json(), "root").put("readonly", true);
        spec.mounts().addObject().put("destination", "/tmp").put("type", "bind").put("source", "/srv/tmp")
                .putArray("options").add("rbind");
        converted(spec);
        Mount tmp = mountAt(spec, "/tmp");
        assertEquals("/srv/tmp", tmp.source());
        assertEquals("tmpfs", mountAt(spec, "/run").type());
    }

    @Test
    void writableRootAddsNoRunOrTmp() {
        Spec spec = converted(TestSpecs.docker());
        assertTrue(mountsAt(spec, "/run").isEmpty());
        assertTrue(mountsAt(spec, "/tmp").isEmpty());
    }

    // ---- masked and read-only paths ----

    @Test
    void unmasksWhatASystemContainerNeedsAndKeepsTheRest() {
        Spec spec = TestSpecs.docker();
        Spec.arrayIn(spec.linux(), "maskedPaths").add("/proc/kallsyms").add("/proc/kmsg").add("/proc");
        Spec.arrayIn(spec.linux(), "readonlyPaths").add("/proc/kcore").add("/proc/sys/");
        converted(spec);
        assertEquals(List.of("/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                        "/sys/devices/virtual/powercap"),
                strings(spec.linux().get("maskedPaths")));
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"),
                strings(spec.linux().get("readonlyPaths")));
    }

    // ---- seccomp ----

    private static final List<String> RELAXED = List.of(
            "mount", "umount2", "pivot_root", "unshare", "setns", "sethostname", "keyctl", "add_key", "request_key");

    @Test
    void allowsTheSystemContainerSyscallsInDockersProfile() {
        Spec spec = TestSpecs.docker();
        ArrayNode before = (ArrayNode) spec.linux().get("seccomp").get("syscalls").deepCopy();
        converted(spec);
        JsonNode seccomp = spec.linux().get("seccomp");
        assertEquals("SCMP_ACT_ERRNO", seccomp.get("defaultAction").asText());
        assertEquals(1, seccomp.get("defaultErrnoRet").asInt());
        ArrayNode rules = (ArrayNode) seccomp.get("syscalls");
        assertEquals(before.size() + 1, rules.size());
        for (int i = 0; i < before.size(); i++) assertEquals(before.get(i), rules.get(i));
        JsonNode added = rules.get(rules.size() - 1);
        assertEquals("SCMP_ACT_ALLOW", added.get("action").asText());
        assertEquals(RELAXED, strings(added.get("names")));
        assertNull(added.get("args"));
    }

    @Test
    void removesTheSyscallsFromEveryOtherRule() {
        Spec spec = TestSpecs.docker();
        ObjectNode seccomp = (ObjectNode) spec.linux().get("seccomp");
        ArrayNode rules = seccomp.putArray("syscalls");
        rules.addObject().put("action", "SCMP_ACT_ALLOW").putArray("names").add("read").add("unshare").add("write");
        rules.addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1).putArray("names").add("mount").add("umount2");
        ObjectNode conditional = rules.addObject().put("action", "SCMP_ACT_ALLOW");
        conditional.putArray("names").add("setns");
        conditional.putArray("args").addObject().put("index", 1).put("value", 0x40000000).put("op", "SCMP_CMP_EQ");
        rules.addObject().put("action", "SCMP_ACT_ERRNO").putArray("names").add("keyctl").add("reboot");
        converted(spec);
        ArrayNode after = (ArrayNode) spec.linux().get("seccomp").get("syscalls");
        assertEquals(3, after.size(), after.toString());
        assertEquals(List.of("read", "write"), strings(after.get(0).get("names")));
        assertEquals(List.of("reboot"), strings(after.get(1).get("names")));
        assertEquals("SCMP_ACT_ERRNO", after.get(1).get("action").asText());
        assertEquals(RELAXED, strings(after.get(2).get("names")));
        assertEquals("SCMP_ACT_ALLOW", after.get(2).get("action").asText());
    }

    @Test
    void leavesAnAllowByDefaultProfileThatDoesNotNameThemAlone() {
        Spec spec = TestSpecs.docker();
        ObjectNode seccomp = spec.linux().putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").putArray("names").add("reboot");
        JsonNode before = seccomp.deepCopy();
        converted(spec);
        assertEquals(before, spec.linux().get("seccomp"));
    }

    @Test
    void anAllowByDefaultProfileKeepsItsDeliberateDenials() {
        // critest's localhost profile: allow everything but sethostname; the kubelet expects it to hold.
        Spec spec = TestSpecs.docker();
        ObjectNode seccomp = spec.linux().putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        ArrayNode rules = seccomp.putArray("syscalls");
        rules.addObject().put("action", "SCMP_ACT_ERRNO").putArray("names").add("sethostname").add("mount");
        JsonNode before = seccomp.deepCopy();
        converted(spec);
        assertEquals(before, spec.linux().get("seccomp"));
    }

    @Test
    void rootWhoAskedForNoCapabilitiesGetsNone() {
        Spec spec = TestSpecs.docker();
        ObjectNode caps = ((ObjectNode) spec.json().get("process")).putObject("capabilities");
        SETS.forEach(caps::putArray);
        converted(spec);
        for (String set : SETS) assertEquals(0, spec.process().path("capabilities").path(set).size(), set);
    }

    @Test
    void noSeccompStaysNoSeccomp() {
        Spec spec = TestSpecs.docker();
        spec.linux().remove("seccomp");
        converted(spec);
        assertNull(spec.linux().get("seccomp"));
    }

    // ---- AppArmor, OOM score ----

    @Test
    void dropsAppArmorProfiles() {
        Spec spec = TestSpecs.docker();
        spec.linux().put("apparmorProfile", "docker-default");
        converted(spec);
        assertNull(spec.process().get("apparmorProfile"));
        assertNull(spec.linux().get("apparmorProfile"));
    }

    @Test
    void raisesOomScoreAdjBelowMinus999() {
        Spec spec = TestSpecs.docker();
        spec.process().put("oomScoreAdj", -1000);
        assertEquals(-999, converted(spec).process().get("oomScoreAdj").asInt());
        Spec mild = TestSpecs.docker();
        mild.process().put("oomScoreAdj", -500);
        assertEquals(-500, converted(mild).process().get("oomScoreAdj").asInt());
        Spec none = TestSpecs.docker();
        none.process().remove("oomScoreAdj");
        assertNull(converted(none).process().get("oomScoreAdj"));
    }

    // ---- systemd ----

    @Test
    void systemdInitGetsTmpfsRunEnvironmentAndUnmaskedPaths() {
        for (String init : List.of("/sbin/init", "/lib/systemd/systemd", "/usr/lib/systemd/systemd")) {
            Spec spec = TestSpecs.docker();
            setArgs(spec, init, "--log-level=info");
            Spec.arrayIn(spec.process(), "env").add("container=docker");
            Spec.arrayIn(spec.linux(), "maskedPaths").add("/sys/kernel").add("/run/lock");
            Spec.arrayIn(spec.linux(), "readonlyPaths").add("/tmp").add("/run");
            converted(spec);
            Mount run = mountAt(spec, "/run");
            Mount lock = mountAt(spec, "/run/lock");
            assertEquals("tmpfs", run.type(), init);
            assertEquals("tmpfs", lock.type(), init);
            assertTrue(indexOf(spec, "/run") < indexOf(spec, "/run/lock"));
            assertEquals(Optional.of("private-users"), spec.envValue("container"));
            assertEquals(1, spec.env().stream().filter(e -> e.startsWith("container=")).count());
            List<String> masked = strings(spec.linux().get("maskedPaths"));
            List<String> readonly = strings(spec.linux().get("readonlyPaths"));
            for (String p : List.of("/run", "/run/lock", "/tmp", "/sys/kernel")) {
                assertFalse(masked.contains(p) || readonly.contains(p), p + " for " + init);
            }
            assertTrue(masked.contains("/proc/keys"));
            assertParentsFirst(spec);
        }
    }

    @Test
    void systemdKeepsATmpfsTheSpecHasAndReplacesAnythingElse() {
        Spec spec = TestSpecs.docker();
        setArgs(spec, "/sbin/init");
        spec.mounts().addObject().put("destination", "/run").put("type", "tmpfs").put("source", "tmpfs")
                .putArray("options").add("size=128m");
        spec.mounts().addObject().put("destination", "/run/lock").put("type", "bind").put("source", "/srv/lock")
                .putArray("options").add("rbind");
        converted(spec);
        assertEquals(List.of("size=128m"), mountAt(spec, "/run").options());
        Mount lock = mountAt(spec, "/run/lock");
        assertEquals("tmpfs", lock.type());
        assertEquals("tmpfs", lock.source());
    }

    @Test
    void otherInitsAreNotSystemd() {
        for (String init : List.of("/bin/sh", "/usr/bin/systemd-analyze", "/sbin/init.sh")) {
            Spec spec = TestSpecs.docker();
            setArgs(spec, init);
            converted(spec);
            assertTrue(mountsAt(spec, "/run/lock").isEmpty(), init);
            assertEquals(Optional.empty(), spec.envValue("container"), init);
        }
    }

    // ---- plain (non-system-container) mode ----

    @Test
    void syscontModeFalseAppliesOnlyTheUserNamespacePart() {
        Spec original = TestSpecs.docker();
        original.process().put("oomScoreAdj", -1000);
        setArgs(original, "/sbin/init");
        Spec spec = TestSpecs.docker();
        spec.process().put("oomScoreAdj", -1000);
        setArgs(spec, "/sbin/init");
        ConversionInputs base = TestSpecs.withSyscontMode(TestSpecs.inputs(CAPS), false);
        SpecConverter.convert(spec, new ConversionInputs(base.uidMapping(), base.gidMapping(), base.rootfs(),
                Map.of(8, "/var/lib/sysbox/shifted/c1/mounts/8"), CAPS, false, false, base.cgroupsPath(),
                Optional.empty(), Optional.of("/lib/modules/6.18.0-test")));

        assertEquals(Optional.of("/var/lib/sysbox/shifted/c1/rootfs"), spec.rootPath());
        assertEquals(List.of("mount", "network", "uts", "pid", "ipc", "user", "cgroup"),
                spec.namespaces().stream().map(Namespace::type).toList());
        assertEquals(List.of(TestSpecs.UIDS), spec.uidMappings());
        assertEquals("/sysbox-test/c1", spec.linux().get("cgroupsPath").asText());
        assertEquals("/var/lib/sysbox/shifted/c1/mounts/8", mountAt(spec, "/etc/hostname").source());

        ((ObjectNode) original.mounts().get(8)).put("source", "/var/lib/sysbox/shifted/c1/mounts/8");
        assertEquals(original.mounts(), spec.mounts());
        // AppArmor and the OOM floor are the only process changes in plain mode.
        original.process().remove("apparmorProfile");
        original.process().put("oomScoreAdj", -999);
        assertEquals(original.process(), spec.process());
        for (String field : List.of("seccomp", "maskedPaths", "readonlyPaths", "resources")) {
            assertEquals(original.linux().get(field), spec.linux().get(field), field);
        }
        assertEquals("0 65535", spec.linux().get("sysctl").get("net.ipv4.ping_group_range").asText());
    }

    // ---- pass-through ----

    @Test
    void fieldsTheRulesDoNotNamePassThroughUntouched() {
        Spec original = TestSpecs.docker();
        Spec spec = TestSpecs.docker();
        spec.json().put("x-vendor", "kept");
        ((ObjectNode) spec.mounts().get(7)).putObject("x-extension").put("a", 1);
        converted(spec);
        for (String field : List.of("ociVersion", "hostname", "hooks", "annotations")) {
            assertEquals(original.json().get(field), spec.json().get(field), field);
        }
        assertEquals("kept", spec.json().get("x-vendor").asText());
        for (String field : List.of("terminal", "consoleSize", "user", "args", "env", "cwd")) {
            assertEquals(original.process().get(field), spec.process().get(field), field);
        }
        assertEquals(original.linux().get("resources"), spec.linux().get("resources"));
        assertEquals(original.linux().get("sysctl").get("net.ipv4.ip_unprivileged_port_start"),
                spec.linux().get("sysctl").get("net.ipv4.ip_unprivileged_port_start"));
        JsonNode resolv = spec.mounts().get(indexOf(spec, "/etc/resolv.conf"));
        assertEquals(1, resolv.get("x-extension").get("a").asInt());
        assertEquals(original.mounts().get(7).get("options"), resolv.get("options"));
    }
}
