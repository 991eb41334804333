package io.sysbox.conformance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 4 (with HostileChannelIT and FullDataRootIT): hostile bundles. Each is
 * refused with a message naming what is wrong and where (or, for destinations that must stay
 * inside the rootfs, contained there), leaves nothing behind, and the manager still answers and
 * holds no more descriptors on the suite's files than before. BadInputIT's cases are not repeated.
 */
class HostileSpecIT extends SuiteLifecycle {
    private CreateRefusals refusals;
    private Map<String, Integer> managerFds;

    @BeforeAll
    void baseline() throws IOException {
        refusals = new CreateRefusals(env, containers);
        // One container through its whole life first, so lazily opened files are in the baseline.
        String warm = containers.startSleeping("warm");
        containers.runc().run("delete", "--force", warm).requireSuccess();
        assertEquals(List.of(), env.awaitNoLeaks(), "the warm-up container left something");
        managerFds = DaemonHealth.descriptors(env.manager().pid(), env.work());
    }

    @AfterEach
    void managerStillHealthy() throws IOException {
        env.deleteContainers();
        DaemonHealth.managerAnswers(env.manager());
        List<String> leaks = LeakCheck.awaitEmpty(
                () -> DaemonHealth.descriptorLeaks("sysbox-mgr", env.manager().pid(), env.work(), managerFds),
                java.time.Duration.ofSeconds(10));
        assertEquals(List.of(), leaks, "descriptors the manager kept after the case");
    }

    /** create of BUNDLE is refused naming every keyword, and nothing is left. */
    private CommandResult refused(BusyboxBundle bundle, String id, String... keywords) throws IOException {
        CommandResult create = refusals.create(bundle, id);
        containers.assertRefused(create, keywords);
        refusals.assertNothingLeft(id);
        return create;
    }

    /** Refused as above while RUNNING runs: what is left is RUNNING's alone. */
    private void refusedBeside(String running, BusyboxBundle bundle, String id, String... keywords) throws IOException {
        CommandResult create = refusals.create(bundle, id);
        containers.assertRefused(create, keywords);
        assertFalse(Files.exists(refusals.pidFile(id)), "a refused create wrote a pid file");
        assertFalse(containers.runc().run("state", id).succeeded(), "a refused container has state");
        assertEquals(List.of(), env.leakCheck().leaks().stream().filter(leak -> !leak.contains(running)).toList(),
                "a refused create left something behind");
    }

    /** Refused as above, the message naming the bundle's config.json (by its path) and every keyword. */
    private void refusedConfig(BusyboxBundle bundle, String id, String... keywords) throws IOException {
        CommandResult create = refused(bundle, id, keywords);
        assertTrue(create.stderr().contains(bundle.configFile().toString()),
                "the message should name the config.json:\n" + create.describe());
    }

    private String id(String hint) {
        return env.newContainerId(hint);
    }

    // --- config.json ---------------------------------------------------------------------------

    @Test
    void anEmptyConfigJson() throws IOException {
        String id = id("h-empty");
        BusyboxBundle bundle = env.bundle(id);
        Files.writeString(bundle.configFile(), "");
        refusedConfig(bundle, id, "json object");
    }

    @Test
    void aConfigJsonThatIsAnArray() throws IOException {
        String id = id("h-array");
        BusyboxBundle bundle = env.bundle(id);
        Files.writeString(bundle.configFile(), "[1, 2, 3]");
        refusedConfig(bundle, id, "json object");
    }

    @Test
    void aConfigJsonOfBinaryGarbage() throws IOException {
        String id = id("h-garbage");
        BusyboxBundle bundle = env.bundle(id);
        byte[] garbage = new byte[4096];
        new java.util.Random(12).nextBytes(garbage);
        garbage[0] = (byte) 0xff;
        Files.write(bundle.configFile(), garbage);
        refusedConfig(bundle, id, "malformed");
    }

    @Test
    void aConfigJsonNestedTooDeep() throws IOException {
        String id = id("h-nested");
        BusyboxBundle bundle = env.bundle(id);
        Files.writeString(bundle.configFile(), "{\"annotations\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}");
        refusedConfig(bundle, id, "malformed", "nesting");
    }

    /** A sparse 8 GiB file: refused after 16 MiB, the shared manager's heap untouched. */
    @Test
    void aHugeConfigJson() throws IOException {
        String id = id("h-huge");
        BusyboxBundle bundle = env.bundle(id);
        try (RandomAccessFile file = new RandomAccessFile(bundle.configFile().toFile(), "rw")) {
            file.setLength(8L << 30);
        }
        refusedConfig(bundle, id, "larger than 16 mib");
    }

    /** Opening a FIFO blocks until a writer comes: the manager's thread would hang for good. */
    @Test
    void aConfigJsonThatIsAFifo() throws IOException, InterruptedException {
        String id = id("h-fifo");
        BusyboxBundle bundle = env.bundle(id);
        Files.delete(bundle.configFile());
        env.runner().run(List.of("mkfifo", bundle.configFile().toString())).requireSuccess();
        refusedConfig(bundle, id, "not a regular file");
    }

    @Test
    void aConfigJsonThatIsADirectory() throws IOException {
        String id = id("h-cfgdir");
        BusyboxBundle bundle = env.bundle(id);
        Files.delete(bundle.configFile());
        Files.createDirectory(bundle.configFile());
        refusedConfig(bundle, id, "not a regular file");
    }

    @Test
    void aSpecWithoutRoot() throws IOException {
        String id = id("h-noroot");
        BusyboxBundle bundle = env.bundle(id);
        bundle.config().remove("root");
        refused(bundle.write(), id, "root");
    }

    @Test
    void aSpecWithoutProcess() throws IOException {
        String id = id("h-noproc");
        BusyboxBundle bundle = env.bundle(id);
        bundle.config().remove("process");
        refused(bundle.write(), id, "process");
    }

    @Test
    void processArgsThatAreNoArray() throws IOException {
        String id = id("h-args");
        BusyboxBundle bundle = env.bundle(id);
        bundle.process().put("args", "sleep 3600");
        refused(bundle.write(), id, "args");
    }

    // --- rootfs ---------------------------------------------------------------------------------

    @Test
    void aRootfsSymlinkToTheHostRoot() throws IOException {
        String id = id("h-rootlink");
        BusyboxBundle bundle = env.bundle(id);
        TreeRemoval.remove(bundle.rootfs());
        Files.createSymbolicLink(bundle.rootfs(), Path.of("/"));
        refused(bundle, id, "rootfs", "symlink");
    }

    @Test
    void aRootfsSymlinkOutOfTheBundle() throws IOException {
        String id = id("h-outlink");
        BusyboxBundle bundle = env.bundle(id);
        Path elsewhere = env.directory("elsewhere-" + id);
        BusyboxRootfs.populate(elsewhere);
        bundle.root().put("path", "linked");
        Files.createSymbolicLink(bundle.dir().resolve("linked"), elsewhere);
        refused(bundle.write(), id, "rootfs", "symlink", "real directory");
    }

    @Test
    void aRootfsOfDotDotsUpToTheHostRoot() throws IOException {
        String id = id("h-dotdot");
        BusyboxBundle bundle = env.bundle(id);
        bundle.root().put("path", "../".repeat(bundle.dir().getNameCount() + 2));
        refused(bundle.write(), id, "rootfs", "host's root directory");
    }

    @Test
    void aRootfsThatIsAFile() throws IOException {
        String id = id("h-rootfile");
        BusyboxBundle bundle = env.bundle(id);
        Files.writeString(bundle.dir().resolve("plain-file"), "not a rootfs");
        bundle.root().put("path", "plain-file");
        refused(bundle.write(), id, "rootfs", "not a directory");
    }

    // --- mount destinations ---------------------------------------------------------------------

    private static void addMount(BusyboxBundle bundle, String type, String source, String destination, String... options) {
        ArrayNode mounts = bundle.config().get("mounts") instanceof ArrayNode a ? a : bundle.config().putArray("mounts");
        ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        ArrayNode opts = mount.putArray("options");
        for (String option : options) opts.add(option);
    }

    @Test
    void aTmpfsOverProcSys() throws IOException {
        String id = id("h-procsys");
        BusyboxBundle bundle = env.bundle(id);
        addMount(bundle, "tmpfs", "tmpfs", "/proc/sys", "nosuid");
        refused(bundle.write(), id, "/proc/sys");
    }

    @Test
    void aBindOverProcSysKernel() throws IOException {
        String id = id("h-procsysk");
        BusyboxBundle bundle = env.bundle(id);
        Path source = env.directory("fake-kernel-" + id);
        addMount(bundle, "bind", source.toString(), "/proc/sys/kernel", "rbind", "rw");
        refused(bundle.write(), id, "/proc/sys/kernel");
    }

    /** A symlink in the rootfs to /proc/sys: the destination is resolved inside, and still refused. */
    @Test
    void aDestinationThroughARootfsSymlinkToProcSys() throws IOException {
        String id = id("h-linkproc");
        BusyboxBundle bundle = env.bundle(id);
        Files.createSymbolicLink(bundle.rootfs().resolve("sneaky"), Path.of("/proc/sys"));
        addMount(bundle, "tmpfs", "tmpfs", "/sneaky", "nosuid");
        refused(bundle.write(), id, "/proc");
    }

    /**
     * A symlink in the rootfs to a host directory: the mount lands in the rootfs (runc resolves the
     * destination inside it), never on the host's directory.
     */
    @Test
    void aDestinationThroughARootfsSymlinkToAHostDirectory() throws IOException {
        String id = id("h-linkhost");
        Path victim = env.directory("victim-" + id);
        BusyboxBundle bundle = env.bundle(id);
        Files.createSymbolicLink(bundle.rootfs().resolve("escape"), victim);
        addMount(bundle, "tmpfs", "tmpfs", "/escape/covered", "nosuid", "size=1m");
        containers.runDetached(bundle.write(), id);
        assertStaysInside(id, victim, "/escape/covered");
    }

    @Test
    void aDestinationWithDotDotsOutOfTheRootfs() throws IOException {
        String id = id("h-destdots");
        Path victim = env.directory("victim-" + id);
        BusyboxBundle bundle = env.bundle(id);
        addMount(bundle, "tmpfs", "tmpfs", "/../../../../../.." + victim + "/covered", "nosuid", "size=1m");
        containers.runDetached(bundle.write(), id);
        assertStaysInside(id, victim, victim + "/covered");
    }

    /** The host's VICTIM got no mount and no entry; the container has its tmpfs at INSIDE. */
    private void assertStaysInside(String id, Path victim, String inside) throws IOException {
        for (MountEntry mount : MountEntry.current()) {
            assertFalse(mount.mountPoint().startsWith(victim), "a mount landed on the host's " + victim + ": " + mount.line());
        }
        try (var entries = Files.list(victim)) {
            assertEquals(List.of(), entries.toList(), "the host's " + victim + " got entries");
        }
        String fsType = containers.exec(id, "stat", "-f", "-c", "%T", inside).strip();
        assertEquals("tmpfs", fsType, "the container's " + inside + " should be its tmpfs");
    }

    // --- bind sources ---------------------------------------------------------------------------

    private Path sourceWithMarker(String name) throws IOException {
        Path dir = env.directory(name);
        Path marker = Files.writeString(dir.resolve("marker"), "from the host\n");
        Files.setAttribute(marker, "unix:uid", 1000);
        return dir;
    }

    @Test
    void aBindSourceThroughASymlink() throws IOException {
        String id = id("h-srclink");
        Path data = sourceWithMarker("data-" + id);
        Path link = Files.createSymbolicLink(env.work().resolve("link-" + id), data);
        BusyboxBundle bundle = env.bundle(id).bindMount(link, "/mnt");
        containers.runDetached(bundle.write(), id);
        assertEquals("1000 from the host", containers.exec(id, "sh", "-c", "stat -c %u /mnt/marker; cat /mnt/marker")
                .strip().replace('\n', ' '));
    }

    @Test
    void aBindSourceWithDotDots() throws IOException {
        String id = id("h-srcdots");
        Path data = sourceWithMarker("data-" + id);
        env.directory("detour-" + id);
        Path dotted = env.work().resolve("detour-" + id).resolve("..").resolve(data.getFileName());
        BusyboxBundle bundle = env.bundle(id).bindMount(dotted, "/mnt");
        containers.runDetached(bundle.write(), id);
        assertEquals("1000 from the host", containers.exec(id, "sh", "-c", "stat -c %u /mnt/marker; cat /mnt/marker")
                .strip().replace('\n', ' '));
    }

    @Test
    void aBindSourceThatIsADanglingSymlink() throws IOException {
        String id = id("h-dangling");
        Path link = Files.createSymbolicLink(env.work().resolve("dangling-" + id), env.work().resolve("nothing-here"));
        BusyboxBundle bundle = env.bundle(id).bindMount(link, "/mnt");
        refused(bundle.write(), id);
        // As with runc alone: its own words about the mount go to its --log, the caller gets the exit status.
        String log = Files.readString(env.runc().log().orElseThrow());
        assertTrue(log.contains("failed to open mount source " + link), "runc's log should name the source " + link);
    }

    /** The data root holds every container's records and clones: binding it would hand them to this one. */
    @Test
    void aBindOfTheManagersDataRoot() throws IOException {
        String id = id("h-dataroot");
        BusyboxBundle bundle = env.bundle(id).bindMount(env.manager().dirs().dataRoot(), "/mnt");
        refused(bundle.write(), id, "sysbox's data root", "/mnt", "bind a directory of its own");
    }

    /** Through an idmapped clone the container's root would own the id-range records. */
    @Test
    void aBindOfADirectoryInsideTheManagersDataRoot() throws IOException {
        String id = id("h-dataidr");
        BusyboxBundle bundle = env.bundle(id).bindMount(env.manager().dirs().idRanges(), "/mnt");
        refused(bundle.write(), id, "inside sysbox's data root", "/mnt");
    }

    /** Through an idmapped clone the container's root would own, and could connect to, the manager's root-only sockets. */
    @Test
    void aBindOfTheManagersRunDirThroughASymlink() throws IOException {
        String id = id("h-rundir");
        Path link = Files.createSymbolicLink(env.work().resolve("run-link-" + id), env.manager().dirs().runDir());
        BusyboxBundle bundle = env.bundle(id).bindMount(link, "/run/sysbox");
        refused(bundle.write(), id, "sysbox's run dir", "/run/sysbox");
    }

    // --- SYSBOX_* knobs -------------------------------------------------------------------------

    @Test
    void anEmptyKnobValue() throws IOException {
        String id = id("h-knobempty");
        refused(env.bundle(id).env("SYSBOX_HONOR_CAPS", "").write(), id, "SYSBOX_HONOR_CAPS");
    }

    @Test
    void aKnobWithoutAValue() throws IOException {
        String id = id("h-knobnoeq");
        BusyboxBundle bundle = env.bundle(id);
        ((ArrayNode) bundle.process().get("env")).add("SYSBOX_SYSCONT_MODE");
        refused(bundle.write(), id, "SYSBOX_SYSCONT_MODE");
    }

    @Test
    void aRelativeSkipUidShiftDestination() throws IOException {
        String id = id("h-skiprel");
        refused(env.bundle(id).env("SYSBOX_SKIP_UID_SHIFT", "/mnt,../../etc").write(), id, "SYSBOX_SKIP_UID_SHIFT",
                "../../etc", "absolute");
    }

    @Test
    void aKnobNamedOnlyByItsPrefix() throws IOException {
        String id = id("h-knobprefix");
        refused(env.bundle(id).env("SYSBOX_", "TRUE").write(), id, "SYSBOX_");
    }

    // --- id mappings ----------------------------------------------------------------------------

    private static void mapping(BusyboxBundle bundle, String field, long containerId, long hostId, long size) {
        bundle.linux().withArray(field).addObject().put("containerID", containerId).put("hostID", hostId).put("size", size);
    }

    @Test
    void aMappingOfSizeZero() throws IOException {
        String id = id("h-size0");
        refused(env.bundle(id).idMappings(700_000_000L, 0).write(), id, "mapping");
    }

    @Test
    void aMappingTooSmallForASystemContainer() throws IOException {
        String id = id("h-small");
        refused(env.bundle(id).idMappings(700_000_000L, 1000).write(), id, "65536");
    }

    @Test
    void aMappingPastTheLastId() throws IOException {
        String id = id("h-overflow");
        refused(env.bundle(id).idMappings(4_294_967_295L - 100, 65536).write(), id, "mapping");
    }

    @Test
    void aMappingNotStartingAtContainerIdZero() throws IOException {
        String id = id("h-notzero");
        BusyboxBundle bundle = env.bundle(id);
        for (String field : List.of("uidMappings", "gidMappings")) {
            bundle.linux().putArray(field);
            mapping(bundle, field, 1, 700_000_000L, 65536);
        }
        refused(bundle.write(), id, "container id 0");
    }

    @Test
    void uidAndGidMappingsOnDifferentHostIds() throws IOException {
        String id = id("h-uidgid");
        BusyboxBundle bundle = env.bundle(id);
        bundle.linux().putArray("uidMappings");
        bundle.linux().putArray("gidMappings");
        mapping(bundle, "uidMappings", 0, 700_000_000L, 65536);
        mapping(bundle, "gidMappings", 0, 700_100_000L, 65536);
        refused(bundle.write(), id, "gid");
    }

    @Test
    void twoUidLinesOverlappingEachOther() throws IOException {
        String id = id("h-twolines");
        BusyboxBundle bundle = env.bundle(id).idMappings(700_000_000L, 65536);
        mapping(bundle, "uidMappings", 100, 700_000_000L, 65536);
        mapping(bundle, "gidMappings", 100, 700_000_000L, 65536);
        refused(bundle.write(), id, "mapping");
    }

    @Test
    void aNegativeHostId() throws IOException {
        String id = id("h-negative");
        refused(env.bundle(id).idMappings(-65536, 65536).write(), id, "hostid");
    }

    /** Another running container's range, given explicitly: refused naming that container. */
    @Test
    void aMappingOverlappingARunningContainersRange() throws IOException {
        String running = containers.startSleeping("h-owner");
        IdMap owned = Containers.hostUidMap(containers.initPid(running));
        String id = id("h-overlap");
        refusedBeside(running, env.bundle(id).idMappings(owned.hostId() + 1000, 65536).write(), id, "overlaps", running);
        String same = id("h-same");
        refusedBeside(running, env.bundle(same).idMappings(owned.hostId(), 65536).write(), same, "overlaps", running);
        assertEquals(owned, Containers.hostUidMap(containers.initPid(running)), "the running container's range changed");
    }

    /** Docker's userns-remap gives all its containers one mapping: two bundles bringing the same one both run. */
    @Test
    void twoContainersBringingTheSameMappingBothRun() throws IOException {
        String first = id("h-remap1");
        String second = id("h-remap2");
        for (String id : List.of(first, second)) {
            BusyboxBundle bundle = env.bundle(id).idMappings(900_000_000L, 65536);
            env.runner().run(List.of("chown", "-R", "900000000:900000000", bundle.rootfs().toString())).requireSuccess();
            containers.runDetached(bundle.write(), id);
        }
        assertEquals(Containers.hostUidMap(containers.initPid(first)), Containers.hostUidMap(containers.initPid(second)));
    }

    // --- namespace paths ------------------------------------------------------------------------

    @Test
    void theHostsUserNamespace() throws IOException {
        String id = id("h-hostuser");
        refused(env.bundle(id).namespacePath("user", "/proc/1/ns/user").write(), id, "user", "/proc/1/ns/user",
                "cannot be examined", "not the host's", "remove the path");
    }

    @Test
    void theHostsIpcNamespaceOfThisProcess() throws IOException {
        String id = id("h-hostipc");
        String path = "/proc/" + ProcessHandle.current().pid() + "/ns/ipc";
        refused(env.bundle(id).namespacePath("ipc", path).write(), id, "ipc", "host");
    }

    @Test
    void theHostsPidNamespace() throws IOException {
        String id = id("h-hostpid");
        refused(env.bundle(id).namespacePath("pid", "/proc/1/ns/pid").write(), id, "pid", "/proc/1/ns/pid",
                "not the host's", "remove the path");
    }

    @Test
    void aNamespacePathThatDoesNotExist() throws IOException {
        String id = id("h-nspath");
        String path = env.work().resolve("no-such-ns").toString();
        CommandResult create = refused(env.bundle(id).namespacePath("network", path).write(), id, "network");
        assertTrue(create.stderr().contains(path), "the message should name the path:\n" + create.describe());
    }

    @Test
    void aNamespacePathThatIsNoNamespace() throws IOException {
        String id = id("h-nsfile");
        Path file = Files.writeString(env.work().resolve("not-a-namespace-" + id), "x");
        CommandResult create = refused(env.bundle(id).namespacePath("network", file.toString()).write(), id,
                "network", "namespace");
        assertTrue(create.stderr().contains(file.toString()), "the message should name the path:\n" + create.describe());
    }

    /** A network namespace (of a process of this test's, not the host's) given as the ipc one. */
    @Test
    void aNamespaceOfTheWrongKind() throws IOException, InterruptedException {
        Process holder = new ProcessBuilder("unshare", "--net", "sleep", "600").start();
        try {
            Path ns = Path.of("/proc", Long.toString(holder.pid()), "ns", "net");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
                assertTrue(holder.isAlive() && System.nanoTime() < deadline, "unshare --net did not start");
                Thread.sleep(10);
            }
            String id = id("h-nskind");
            refused(env.bundle(id).namespacePath("ipc", ns.toString()).write(), id, "ipc", "net");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }
}
