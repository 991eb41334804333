package io.sysbox.conformance.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CgroupScope;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.OciHooksFile;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, the OCI hooks mode with plain runc: runc runs the hooks of the bundle's config.json
 * itself, here the hook of dist/'s hooks.d file (pointed at the suite's manager, beside a
 * sysbox-fs) at createRuntime and poststop, as Podman puts it into the spec of a container it
 * matches. An annotated container with its own user namespace gets its emulated /proc files and
 * idmapped binds; a spec without a user namespace, one mapping host uid 0 and one overlapping
 * another container's ids are refused by the hook (runc fails the create); poststop releases
 * everything; an unannotated container is left as plain runc makes it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OciHooksRuncIT {
    /** Outside the suite manager's pool (131072 + 2^28), one 65536 range per test that runs a container. */
    private static final long OWN_RANGE = 500_000_000L;
    private static final long SIZE = 65536;
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(10);

    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;
    private static OciHooksFile hooksFile;
    private static Path runcRoot;
    private static LeakCheck leakCheck;
    /** The manager's part of it alone (an empty runtime root, a cgroup prefix nobody uses): what sysbox holds. */
    private static LeakCheck managerState;
    private final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("ocihooks");
        env = suite.env();
        fs = suite.fs();
        hooksFile = OciHooksFile.of(env.dist());
        // Plain runc's own --root, laid out as LeakCheck expects a runtime root (its runc/ below).
        Path runtimeRoot = env.directory("plain-runc");
        runcRoot = Files.createDirectories(runtimeRoot.resolve("runc"));
        leakCheck = new LeakCheck(env.manager().dirs().dataRoot(), runtimeRoot, env.cgroups());
        managerState = new LeakCheck(env.manager().dirs().dataRoot(), env.directory("no-runtime"), CgroupScope.random());
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    @AfterEach
    void deleteAndCheckLeaks() {
        List<String> problems = new ArrayList<>();
        for (String id : containers) {
            CommandResult deleted = runc("delete", "--force", id);
            if (!deleted.succeeded() && !deleted.stderr().contains("does not exist")) problems.add(deleted.describe());
        }
        problems.addAll(env.deleteContainers());
        problems.addAll(LeakCheck.awaitEmpty(OciHooksRuncIT::leaks, RELEASE_TIMEOUT));
        problems.addAll(env.awaitNoLeaks());
        assertTrue(problems.isEmpty(), "after this test's containers:\n  " + String.join("\n  ", problems));
    }

    /** Everything a container may leave: sysbox's state and runc's (its state directory, cgroups). */
    private static List<String> leaks() {
        List<String> leaks = new ArrayList<>(leakCheck.leaks());
        leaks.addAll(sysboxFsRegistrations());
        return leaks;
    }

    /** What sysbox holds for containers: the manager's mounts, records and clones, sysbox-fs's registrations. */
    private static List<String> sysboxState() {
        List<String> held = new ArrayList<>(managerState.leaks());
        held.addAll(sysboxFsRegistrations());
        return held;
    }

    private static List<String> sysboxFsRegistrations() {
        List<String> found = new ArrayList<>();
        LeakCheck.entries(env.manager().dirs().runDir().resolve("sysfs/containers"), "sysbox-fs registration", found);
        try (var names = Files.list(fs.mountpoint())) {
            names.filter(p -> !p.getFileName().toString().startsWith("."))
                    .forEach(p -> found.add("sysbox-fs directory: " + p));
        } catch (IOException e) {
            found.add("cannot list " + fs.mountpoint() + ": " + e.getMessage());
        }
        return found;
    }

    private static CommandResult runc(String... args) {
        List<String> command = new ArrayList<>(List.of(Prerequisites.RUNC.toString(), "--root", runcRoot.toString()));
        command.addAll(List.of(args));
        return env.runner().run(command);
    }

    private String newId(String hint) {
        byte[] bytes = new byte[3];
        ThreadLocalRandom.current().nextBytes(bytes);
        String id = "hooks-" + hint + "-" + HexFormat.of().formatHex(bytes);
        containers.add(id);
        return id;
    }

    /**
     * A runc bundle whose config.json has the project's hook at createRuntime and poststop; with
     * ANNOTATED the annotation hooks.d matches; with HOST_ID a user namespace mapping 0 to it, its
     * rootfs owned by that id as Podman's storage makes it for --uidmap.
     */
    private static BusyboxBundle bundle(String id, boolean annotated, Long hostId) throws IOException {
        BusyboxBundle bundle = BusyboxBundle.forRunc(env.work().resolve("bundles").resolve(id), env.runner(),
                env.cgroups().pathFor(id));
        if (annotated) bundle.config().putObject("annotations").put("io.sysbox.syscont", "true");
        var hooks = bundle.config().putObject("hooks");
        for (String stage : List.of("createRuntime", "poststop")) hooks.putArray(stage).add(hooksFile.hookFor(env.manager().dirs().runDir()));
        if (hostId != null) {
            bundle.linux().withArray("namespaces").addObject().put("type", "user");
            bundle.idMappings(hostId, SIZE);
            env.runner().run(List.of("chown", "-R", hostId + ":" + hostId, bundle.rootfs().toString())).requireSuccess();
        }
        return bundle.write();
    }

    private static CommandResult create(String id, BusyboxBundle bundle) {
        return runc("create", "--bundle", bundle.dir().toString(), id);
    }

    private static String exec(String id, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", id));
        args.addAll(List.of(command));
        CommandResult result = runc(args.toArray(String[]::new));
        assertTrue(result.succeeded(), result.describe());
        return result.stdout().strip();
    }

    private static Path rangeRecord(String id) {
        return env.manager().dirs().idRanges().resolve(id + ".json");
    }

    private static Path registration(String id) {
        return env.manager().dirs().runDir().resolve("sysfs/containers").resolve(id);
    }

    /** A host directory holding a file owned by host uid 1000, and a root-owned file: bind sources. */
    private static Path volume(String name) throws IOException {
        Path dir = env.directory("volumes").resolve(name);
        Files.createDirectories(dir);
        env.runner().run(List.of("chown", "1000:1000", Files.writeString(dir.resolve("f"), "x").toString())).requireSuccess();
        Files.writeString(dir.resolve("motd"), "hello\n");
        return dir;
    }

    @Test
    void theHooksFileMatchesAnnotatedContainersAtCreateRuntimeAndPoststop() {
        assertEquals("1.0.0", hooksFile.json().path("version").asText());
        assertEquals(env.dist().root().resolve("libexec/sysbox-oci-hook").toString(), hooksFile.hookPath());
        assertTrue(Files.isExecutable(Path.of(hooksFile.hookPath())), hooksFile.hookPath());
        assertEquals(List.of("sysbox-oci-hook"), hooksFile.hookArgs());
        assertEquals(List.of("createRuntime", "poststop"), hooksFile.stages());
        assertEquals("^true$", hooksFile.whenAnnotations().path("^io\\.sysbox\\.syscont$").asText(),
                hooksFile.whenAnnotations().toString());
    }

    @Test
    void anAnnotatedContainerWithItsOwnUserNamespaceGetsItsEmulatedFilesAndIdmappedBinds() throws Exception {
        String id = newId("emulated");
        long hostId = OWN_RANGE;
        BusyboxBundle bundle = bundle(id, true, hostId);
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", 256L << 20);
        Path volume = volume(id);
        bundle.bindMount(volume, "/data");
        bundle.bindMount(volume.resolve("motd"), "/etc/motd");
        bundle.write();
        CommandResult created = create(id, bundle);
        assertTrue(created.succeeded(), created.describe() + "\n" + fs.logTail());
        assertTrue(runc("start", id).succeeded());

        double hostUptime = Double.parseDouble(Files.readAllLines(Path.of("/proc/uptime")).getFirst().split(" ")[0]);
        String[] uptime = exec(id, "cat", "/proc/uptime").split(" ");
        assertEquals(uptime[0], uptime[1], "both columns equal: " + String.join(" ", uptime));
        double seconds = Double.parseDouble(uptime[0]);
        assertTrue(seconds >= 0 && seconds < 30 && seconds < hostUptime, "the container's uptime: " + seconds
                + " (host " + hostUptime + ")");
        assertEquals("MemTotal:         262144 kB", exec(id, "grep", "MemTotal", "/proc/meminfo"));
        String mounts = exec(id, "cat", "/proc/self/mountinfo");
        for (String file : List.of("/proc/uptime", "/proc/meminfo")) {
            assertTrue(mounts.lines().anyMatch(l -> l.contains(" " + file + " ") && l.contains(" - fuse ")),
                    file + " from sysbox-fs:\n" + mounts);
        }
        assertEquals("0 " + hostId + " " + SIZE, exec(id, "cat", "/proc/self/uid_map").replaceAll("\\s+", " "));
        assertEquals("1000:1000", exec(id, "stat", "-c", "%u:%g", "/data/f"), "a host uid 1000 file, idmapped");
        assertEquals("0:0", exec(id, "stat", "-c", "%u:%g", "/etc/motd"), "a host root file shows as root");
        assertEquals("hello", exec(id, "cat", "/etc/motd"));
        assertTrue(Files.exists(rangeRecord(id)), "its range recorded with the manager");
        assertTrue(Files.exists(registration(id)), "registered with sysbox-fs");

        assertTrue(runc("kill", id, "KILL").succeeded());
        awaitStopped(id);
        CommandResult deleted = runc("delete", id);
        assertTrue(deleted.succeeded(), deleted.describe());
        assertEquals(List.of(), LeakCheck.awaitEmpty(OciHooksRuncIT::leaks, RELEASE_TIMEOUT));
    }

    @Test
    void poststopAloneReleasesEverythingItMade() throws Exception {
        String id = newId("poststop");
        long hostId = OWN_RANGE + SIZE;
        BusyboxBundle bundle = bundle(id, true, hostId);
        bundle.bindMount(volume(id), "/data");
        bundle.write();
        CommandResult created = create(id, bundle);
        assertTrue(created.succeeded(), created.describe());
        assertTrue(Files.exists(rangeRecord(id)) && Files.exists(registration(id)));
        assertEquals(5, sysboxState().size(), "its clone's mount and directory, range record, sysbox-fs registration and"
                + " directory: " + sysboxState());

        // The poststop call as Podman makes it (its own state: no pid), while runc still has the container.
        String state = "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"" + id + "\",\"status\":\"stopped\",\"bundle\":\""
                + bundle.dir() + "\",\"annotations\":{\"io.sysbox.syscont\":\"true\"}}";
        List<String> hook = new ArrayList<>(List.of(hooksFile.hookPath()));
        hooksFile.hookFor(env.manager().dirs().runDir()).path("args").forEach(a -> hook.add(a.asText()));
        hook.remove(1); // args[0], the hook's name
        CommandResult poststop = env.runner().run(hook, state.getBytes(StandardCharsets.UTF_8));
        assertTrue(poststop.succeeded(), poststop.describe());
        assertEquals(List.of(), sysboxState(), "released at once");
        assertTrue(Files.readString(env.manager().dirs().logFile()).contains("released container " + id + " (uid 0:"
                + hostId + ":" + SIZE + ", gid 0:" + hostId + ":" + SIZE + "): released on request"));
        assertTrue(runc("state", id).succeeded(), "the container itself is runc's to delete");
    }

    @Test
    void aSpecWithoutAUserNamespaceIsRefusedByTheHook() throws Exception {
        String id = newId("nouserns");
        BusyboxBundle bundle = bundle(id, true, null);
        CommandResult created = create(id, bundle);
        assertNotEquals(0, created.exitCode(), created.describe());
        assertTrue(created.stderr().contains("sysbox-oci-hook: container " + id + ": linux.namespaces has no \\\"user\\\""
                + " entry, so the container's root would be the host's root"), created.describe());
        assertFalse(runc("state", id).succeeded(), "runc failed the create");
        assertEquals(List.of(), leaks());
    }

    @Test
    void aMappingOfHostUidZeroIsRefusedByTheHookWithAClearMessage() throws Exception {
        String id = newId("hostroot");
        BusyboxBundle bundle = bundle(id, true, 0L);
        CommandResult created = create(id, bundle);
        assertNotEquals(0, created.exitCode(), created.describe());
        assertTrue(created.stderr().contains("sysbox-oci-hook: container " + id + ": linux.uidMappings entry \\\"0 0 65536\\\""
                + " maps container uid 0 to host uid 0, the host's root; refused"), created.describe());
        assertFalse(runc("state", id).succeeded());
        assertEquals(List.of(), leaks());
    }

    @Test
    void aMappingOverlappingAnotherContainersIdsIsRefused() throws Exception {
        String first = newId("first");
        long hostId = OWN_RANGE + 2 * SIZE;
        assertTrue(create(first, bundle(first, true, hostId)).succeeded());
        String second = newId("second");
        CommandResult overlapping = create(second, bundle(second, true, hostId + 4096));
        assertNotEquals(0, overlapping.exitCode(), overlapping.describe());
        assertTrue(overlapping.stderr().contains("overlaps the ids of container " + first), overlapping.describe());

        // A sysbox-runc container's range, from the pool Docker's and pods' ranges come from.
        String pooled = env.newContainerId("pooled");
        CommandResult sysbox = env.runc().run("create", "--bundle", env.bundle(pooled).dir().toString(), pooled);
        assertTrue(sysbox.succeeded(), sysbox.describe());
        long pooledHost = new ObjectMapper().readTree(rangeRecord(pooled).toFile()).path("uid").path("hostId").asLong();
        assertTrue(pooledHost > 0, "the pooled container's range record");
        String third = newId("third");
        CommandResult onThePool = create(third, bundle(third, true, pooledHost));
        assertNotEquals(0, onThePool.exitCode(), onThePool.describe());
        assertTrue(onThePool.stderr().contains("overlaps the ids of container " + pooled), onThePool.describe());
        assertTrue(Files.exists(rangeRecord(first)) && !Files.exists(rangeRecord(second)) && !Files.exists(rangeRecord(third)));
    }

    @Test
    void anUnannotatedContainerIsLeftAsPlainRuncMakesIt() throws Exception {
        String id = newId("plain");
        long hostId = OWN_RANGE + 3 * SIZE;
        BusyboxBundle bundle = bundle(id, false, hostId);
        bundle.bindMount(volume(id), "/data");
        bundle.write();
        CommandResult created = create(id, bundle);
        assertTrue(created.succeeded(), created.describe());
        assertTrue(runc("start", id).succeeded());
        String mounts = exec(id, "cat", "/proc/self/mountinfo");
        assertFalse(mounts.contains(" - fuse "), "no emulated files:\n" + mounts);
        assertFalse(mounts.contains("idmapped"), "no idmapped binds:\n" + mounts);
        assertEquals("65534", exec(id, "stat", "-c", "%u", "/data/f"), "host uid 1000 is unmapped inside: not shifted");
        assertEquals(List.of(), sysboxState(), "no range record, clone or registration for it");
        assertTrue(runc("kill", id, "KILL").succeeded());
        awaitStopped(id);
        assertTrue(runc("delete", id).succeeded(), "poststop of an unannotated container does nothing, and succeeds");
    }

    private static void awaitStopped(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CommandResult state = runc("state", id);
        while (!state.stdout().contains("\"status\": \"stopped\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            state = runc("state", id);
        }
        assertTrue(state.stdout().contains("\"status\": \"stopped\""), state.describe());
    }
}
