package io.sysbox.conformance.podman;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.LeakCheck;
import io.sysbox.conformance.OciHooksFile;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import io.sysbox.conformance.cri.PodImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 5: Podman 4.3 with plain runc ({@link PrivatePodman}) and, as its only hooks
 * directory, dist/'s hooks.d file (pointed at the suite's manager, beside a sysbox-fs). Podman
 * matches `when.annotations` itself and puts the hook into the spec at createRuntime; it runs the
 * poststop stage itself, after it deleted the container from runc. A container annotated
 * io.sysbox.syscont=true with --uidmap/--gidmap gets its emulated /proc/uptime and /proc/meminfo
 * and idmapped volumes; without a user namespace, or mapping host uid 0, it is refused by the hook;
 * after it is gone nothing is left (no mount, directory, range record or sysbox-fs registration);
 * an unannotated container is untouched.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PodmanHooksIT {
    private static final String IMAGE = "localhost/sysbox-test/busybox:podman";
    /** Outside the suite manager's pool (131072 + 2^28). */
    private static final long OWN_RANGE = 600_000_000L;
    private static final long SIZE = 65536;

    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;
    private static Path runcRoot;
    private static Path hooksDir;
    private static PrivatePodman podman;

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("podmanhooks");
        env = suite.env();
        fs = suite.fs();
        // A failure here still runs stop(): JUnit calls @AfterAll after a failed @BeforeAll.
        hooksDir = OciHooksFile.of(env.dist()).writeInto(env.directory("hooks.d"), env.manager().dirs().runDir())
                .getParent();
        PodImage image = PodImage.build(env.directory("image"), env.runner(), List.of(IMAGE));
        runcRoot = env.directory("runc-root");
        podman = PrivatePodman.start(env.work().resolve("podman"), OciRuntime.runc(runcRoot), env.cgroups().name(),
                hooksDir, env.runner());
        podman.load(image.tarball());
    }

    @AfterAll
    static void stop() {
        // Podman first: its containers' hooks call the suite's daemons.
        try {
            if (podman != null) podman.close();
        } finally {
            if (suite != null) suite.close();
        }
    }

    @AfterEach
    void nothingIsLeft() {
        List<String> leaks = LeakCheck.awaitEmpty(PodmanHooksIT::leaks, Duration.ofSeconds(10));
        assertTrue(leaks.isEmpty(), "left behind:\n  " + String.join("\n  ", leaks));
    }

    /** Podman's leftovers, runc's state, the manager's (mounts, records, clones, cgroups) and sysbox-fs's registrations. */
    private static List<String> leaks() {
        List<String> leaks = new ArrayList<>(podman.leaks());
        LeakCheck.entries(runcRoot, "runc state", leaks);
        leaks.addAll(sysboxState());
        for (Path dir : env.cgroups().leftovers()) leaks.add("cgroup: " + dir);
        return leaks;
    }

    /** What sysbox holds for containers: the manager's mounts under its data root, records, clones; registrations. */
    private static List<String> sysboxState() {
        Path dataRoot = env.manager().dirs().dataRoot();
        List<String> held = new ArrayList<>();
        for (var mount : io.sysbox.conformance.MountEntry.current()) {
            if (mount.line().contains(dataRoot.toString())) held.add("mount: " + mount.line());
        }
        LeakCheck.entries(dataRoot.resolve("idranges"), "id range record", held);
        LeakCheck.entries(dataRoot.resolve("shifted"), "idmapped clone dir", held);
        LeakCheck.entries(env.manager().dirs().runDir().resolve("sysfs/containers"), "sysbox-fs registration", held);
        try (var names = Files.list(fs.mountpoint())) {
            names.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(p -> held.add("sysbox-fs directory: " + p));
        } catch (IOException e) {
            held.add("cannot list " + fs.mountpoint() + ": " + e.getMessage());
        }
        return held;
    }

    private static String ok(CommandResult result) {
        assertTrue(result.succeeded(), result.describe());
        return result.stdout().strip().replace("\r", "");
    }

    private static List<String> annotated(long hostId, String... rest) {
        List<String> args = new ArrayList<>(List.of("--annotation", "io.sysbox.syscont=true",
                "--uidmap", "0:" + hostId + ":" + SIZE, "--gidmap", "0:" + hostId + ":" + SIZE));
        args.addAll(List.of(rest));
        return args;
    }

    private static CommandResult podman(String command, List<String> options, String... tail) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(options);
        args.addAll(List.of(tail));
        return podman.run(args.toArray(String[]::new));
    }

    /** A host directory holding a file owned by host uid 1000: a volume's source. */
    private static Path volume(String name) throws IOException {
        Path dir = Files.createDirectories(env.directory("volumes").resolve(name));
        Path file = Files.writeString(dir.resolve("f"), "x");
        env.runner().run(List.of("chown", "1000:1000", file.toString())).requireSuccess();
        return dir;
    }

    @Test
    void anAnnotatedContainerWithItsOwnUserNamespaceGetsItsEmulatedFiles() throws Exception {
        Path volume = volume("emulated");
        String out = ok(podman("run", annotated(OWN_RANGE, "--rm", "--memory", "256m", "-v", volume + ":/data"), IMAGE,
                "sh", "-c", "cat /proc/uptime; grep MemTotal /proc/meminfo; cat /proc/self/uid_map; stat -c %u /data/f;"
                        + " grep -E ' /proc/(uptime|meminfo) .* - fuse ' /proc/self/mountinfo | wc -l"));
        List<String> lines = out.lines().toList();
        String[] uptime = lines.get(0).split(" ");
        double hostUptime = Double.parseDouble(Files.readAllLines(Path.of("/proc/uptime")).getFirst().split(" ")[0]);
        assertEquals(uptime[0], uptime[1], out);
        assertTrue(Double.parseDouble(uptime[0]) < 30 && Double.parseDouble(uptime[0]) < hostUptime,
                "the container's own uptime: " + out);
        assertEquals("MemTotal:         262144 kB", lines.get(1), "its memory limit: " + out);
        assertEquals(List.of("0", Long.toString(OWN_RANGE), Long.toString(SIZE)), List.of(lines.get(2).strip().split("\\s+")));
        assertEquals("1000", lines.get(3), "the volume idmapped: host uid 1000 shows as 1000");
        assertEquals("2", lines.get(4).strip(), "uptime and meminfo from sysbox-fs: " + out);
    }

    @Test
    void whileItRunsItsRangeAndRegistrationAreHeldAndPoststopReleasesThem() throws Exception {
        String id = ok(podman("run", annotated(OWN_RANGE + SIZE, "-d", "-v", volume("held") + ":/data"), IMAGE,
                "sleep", "600"));
        assertTrue(ok(podman.run("exec", id, "cat", "/proc/self/mountinfo")).contains(" - fuse "));
        Path record = env.manager().dirs().idRanges().resolve(id + ".json");
        assertTrue(Files.exists(record), "its range recorded with the manager");
        assertTrue(Files.exists(env.manager().dirs().runDir().resolve("sysfs/containers").resolve(id)), "registered");
        assertTrue(sysboxState().stream().anyMatch(l -> l.startsWith("mount: ") && l.contains("idmapped")),
                "its volume's idmapped clone: " + sysboxState());
        ok(podman.run("rm", "-f", "-t", "0", id));
        assertEquals(List.of(), LeakCheck.awaitEmpty(PodmanHooksIT::sysboxState, Duration.ofSeconds(10)));
        String log = Files.readString(env.manager().dirs().logFile());
        assertTrue(log.contains("OCI hook for " + id + ": poststop, released"), "podman ran the poststop hook");
    }

    @Test
    void aContainerWithoutAUserNamespaceIsRefusedByTheHook() {
        CommandResult refused = podman.run("run", "--rm", "--annotation", "io.sysbox.syscont=true", IMAGE, "true");
        assertNotEquals(0, refused.exitCode(), refused.describe());
        assertTrue(refused.stderr().contains("sysbox-oci-hook: container ")
                && refused.stderr().contains(": linux.namespaces has no \"user\" entry, so the container's root would be"
                + " the host's root"), refused.describe());
    }

    @Test
    void aMappingOfHostUidZeroIsRefusedByTheHookWithAClearMessage() {
        CommandResult refused = podman("run", annotated(0, "--rm"), IMAGE, "true");
        assertNotEquals(0, refused.exitCode(), refused.describe());
        assertTrue(refused.stderr().contains("linux.uidMappings entry \"0 0 65536\" maps container uid 0 to host uid 0,"
                + " the host's root; refused"), refused.describe());
    }

    @Test
    void aMappingOverlappingAnotherContainersIsRefused() {
        String first = ok(podman("run", annotated(OWN_RANGE + 2 * SIZE, "-d"), IMAGE, "sleep", "600"));
        CommandResult second = podman("run", annotated(OWN_RANGE + 2 * SIZE, "--rm"), IMAGE, "true");
        assertNotEquals(0, second.exitCode(), second.describe());
        assertTrue(second.stderr().contains("overlaps the ids of container " + first), second.describe());
        ok(podman.run("rm", "-f", "-t", "0", first));
    }

    @Test
    void anUnannotatedContainerIsUntouched() throws Exception {
        String out = ok(podman("run", List.of("--rm", "--uidmap", "0:" + (OWN_RANGE + 3 * SIZE) + ":" + SIZE, "--gidmap",
                "0:" + (OWN_RANGE + 3 * SIZE) + ":" + SIZE, "-v", volume("plain") + ":/data"), IMAGE,
                "sh", "-c", "grep -c ' - fuse ' /proc/self/mountinfo; stat -c %u /data/f"));
        assertEquals(List.of("0", "65534"), out.lines().toList(), "no emulated files, the volume not shifted");
        String log = Files.readString(env.manager().dirs().logFile());
        assertFalse(log.contains("uid 0:" + (OWN_RANGE + 3 * SIZE) + ":"), "the manager never saw its range");
    }
}
