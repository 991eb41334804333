package io.sysbox.conformance.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.MountEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3, acceptance 6 (SPEC §3 "ID mappings", §4, §8; the user's guide's "Interaction with
 * Docker Userns Remap" and "With Docker userns-remap"): against a dockerd started with
 * {@code userns-remap}, sysbox-runc's containers get Docker's mapping, not one of the
 * manager's ranges, and start without their rootfs being shifted; a bind source owned by the
 * remapped user shows as root inside, and one that cannot be idmapped must be owned by the
 * remapped user or is refused with the guide's rule.
 *
 * dockerd reads the remap user and its ranges from the host's own /etc files, so the suite
 * adds a throw-away user there ({@link RemapUser}) and removes it afterwards.
 */
class UsernsRemapIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private static RemapUser user;
    private static DockerEnvironment env;
    private static String busybox;

    @BeforeAll
    static void start() throws Exception {
        user = RemapUser.create(new CommandRunner(Path.of(System.getProperty("java.io.tmpdir")), COMMAND_TIMEOUT));
        try {
            env = DockerEnvironment.start("userns-remap", Map.of("userns-remap", user.name()));
            busybox = env.image("busybox");
        } catch (Exception | Error e) {
            try {
                stop();
            } catch (Exception | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (env != null) env.close();
        } finally {
            env = null;
            if (user != null) user.close();
            user = null;
        }
    }

    private static String ok(CommandResult r) {
        return env.require(r);
    }

    /** The line dockerd writes for the remap user's range, as /proc/PID/uid_map shows it. */
    private static String dockersMapping() {
        return "0 " + user.start() + " " + RemapUser.SIZE;
    }

    private static List<String> mapLines(String text) {
        return text.lines().map(l -> String.join(" ", l.strip().split("\\s+"))).toList();
    }

    private static Path dataRoot() throws IOException {
        return env.suite().manager().dirs().dataRoot().toRealPath();
    }

    /** Where the manager puts the idmapped clones of container id (its id is Docker's full id). */
    private static Path shiftedDirOf(String id) throws IOException {
        return dataRoot().resolve("shifted").resolve(id);
    }

    private static List<MountEntry> mountsUnder(Path dir) {
        return MountEntry.current().stream().filter(m -> m.mountPoint().startsWith(dir)).toList();
    }

    /** The manager's durable record of a prepared container (DATA_ROOT/idranges/ID.json). */
    private static JsonNode managerRecord(String id) throws IOException {
        Path file = dataRoot().resolve("idranges").resolve(id + ".json");
        assertTrue(Files.exists(file), "the manager holds no record for running container " + id + " (no " + file + ")");
        return JSON.readTree(file.toFile());
    }

    private static long hostUid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid"));
    }

    private static long hostGid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:gid"));
    }

    private static void chownToRemappedRoot(Path path) {
        ok(env.suite().runner().run(List.of("chown", user.start() + ":" + user.start(), path.toString())));
    }

    @Test
    void containersUseDockersMappingAndTheirRootfsIsNotShifted() throws Exception {
        assertEquals(List.of(dockersMapping(), dockersMapping()),
                mapLines(ok(env.run("--rm", busybox, "cat", "/proc/self/uid_map", "/proc/self/gid_map"))),
                "uid_map and gid_map inside are Docker's mapping for " + user.name());

        String id = ok(env.run("-d", busybox, "sleep", "600"));
        JsonNode record = managerRecord(id);
        assertEquals("HONOURED", record.path("origin").asText(), "the manager honours Docker's mapping: " + record);
        assertEquals(user.start(), record.path("uid").path("hostId").asLong(), record.toString());
        assertEquals(user.start(), record.path("gid").path("hostId").asLong(), record.toString());

        // Why nothing needs shifting: with userns-remap dockerd hands over a rootfs its remapped root already owns.
        Path merged = Path.of(ok(env.docker("inspect", "-f", "{{.GraphDriver.Data.MergedDir}}", id)));
        assertEquals(user.start(), hostUid(merged), "owner of the rootfs dockerd mounted at " + merged);
        assertEquals(List.of(), mountsUnder(shiftedDirOf(id)),
                "the manager made no idmapped mount for container " + id + " under " + shiftedDirOf(id));
        assertEquals(List.of(), MountEntry.current().stream()
                        .filter(m -> m.line().contains("idmapped") && m.line().contains(id)).map(MountEntry::line).toList(),
                "no idmapped mount anywhere names container " + id);

        assertEquals("0 0\n0", ok(env.docker("exec", id, "sh", "-c", "stat -c '%u %g' /; touch /x && stat -c %u /x")),
                "inside, / is root's and root can write to it");
        assertEquals(List.of(dockersMapping()), mapLines(ok(env.docker("exec", id, "cat", "/proc/self/uid_map"))));
        long pid = Long.parseLong(ok(env.docker("inspect", "-f", "{{.State.Pid}}", id)));
        String hostView = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertEquals(Long.toString(user.start()), hostView.split("\\s+")[1],
                "the container's root runs as the remapped host uid: " + hostView);
        assertEquals(user.start(), hostUid(Path.of(merged.toString(), "x")),
                "a file root makes inside belongs to the remapped user on the host");
        ok(env.docker("rm", "-f", id));
    }

    @Test
    void bindSourceOwnedByTheRemappedUserShowsAsRootAndIsNotShifted() throws Exception {
        Path owned = env.suite().directory("remap-owned");
        Files.writeString(owned.resolve("f"), "x");
        chownToRemappedRoot(owned);
        chownToRemappedRoot(owned.resolve("f"));
        Path hostRoot = env.suite().directory("host-root-owned");
        Files.writeString(hostRoot.resolve("f"), "x");

        String id = ok(env.run("-d", "-v", owned + ":/mnt/owned", "-v", hostRoot + ":/mnt/host", busybox, "sleep", "600"));
        assertEquals("0 0\n0 0\n0", ok(env.docker("exec", id, "sh", "-c",
                        "stat -c '%u %g' /mnt/owned /mnt/owned/f; touch /mnt/owned/new && stat -c %u /mnt/owned/new")),
                "a source owned by the remapped user shows as root inside, and root can write to it");
        assertEquals(user.start(), hostUid(owned.resolve("new")), "a file made inside belongs to the remapped user on the host");
        assertEquals(user.start(), hostGid(owned.resolve("new")));
        assertEquals("0 0", ok(env.docker("exec", id, "stat", "-c", "%u %g", "/mnt/host/f")),
                "a host-root source (ext4, idmappable) shows as root through an idmapped clone");

        // Only the host-root source was cloned: the remapped user's source reached the container as it is.
        List<MountEntry> clones = mountsUnder(shiftedDirOf(id));
        assertEquals(1, clones.size(), "one idmapped clone (of " + hostRoot + "), found: " + clones);
        MountEntry clone = clones.getFirst();
        assertTrue(clone.line().contains("idmapped"), "the clone is an idmapped mount: " + clone.line());
        assertTrue(clone.root().endsWith("/host-root-owned"), "the clone is of " + hostRoot + ": " + clone.line());
        assertEquals(shiftedDirOf(id).resolve("mounts"), clone.mountPoint().getParent(), clone.line());
        ok(env.docker("rm", "-f", id));
        assertEquals(List.of(), mountsUnder(shiftedDirOf(id)), "docker rm removes the container's clones");
        assertFalse(Files.exists(shiftedDirOf(id)), "docker rm removes " + shiftedDirOf(id));
    }

    @Test
    void sourceThatCannotBeIdmappedMustBeOwnedByTheRemappedUser() throws Exception {
        // ramfs has no idmapped-mount support, so the guide's userns-remap rule decides.
        Path ramfs = env.suite().directory("ramfs-source");
        ok(env.suite().runner().run(List.of("mount", "-t", "ramfs", "-o", "mode=0755", "sysbox-it-ramfs", ramfs.toString())));
        try {
            assertEquals(0, hostUid(ramfs), "a fresh ramfs is owned by host root");
            String refused = ok(env.docker("create", "-v", ramfs + ":/mnt/r", "--runtime=" + DockerEnvironment.RUNTIME,
                    busybox, "true"));
            CommandResult start = env.docker("start", refused);
            assertFalse(start.succeeded(), "a host-root ramfs source must be refused under userns-remap:\n" + start.describe());
            String owner = user.start() + ":" + user.start();
            assertTrue(start.stderr().contains("bind mount source " + ramfs)
                            && start.stderr().contains("with userns-remap it must be owned by the remapped user " + owner)
                            && start.stderr().contains("owned by 0:0")
                            && start.stderr().contains("chown " + owner + " " + ramfs),
                    "the refusal names the path and the rule:\n" + start.describe());
            assertEquals(List.of(), mountsUnder(shiftedDirOf(refused)), "a refused container leaves no mount");
            assertFalse(Files.exists(shiftedDirOf(refused)), "a refused container leaves no clone dir");
            assertFalse(Files.exists(dataRoot().resolve("idranges").resolve(refused + ".json")),
                    "a refused container leaves no manager record");
            ok(env.docker("rm", "-f", refused));

            chownToRemappedRoot(ramfs);
            assertEquals("0 0\n0", ok(env.run("--rm", "-v", ramfs + ":/mnt/r", busybox, "sh", "-c",
                            "stat -c '%u %g' /mnt/r; touch /mnt/r/f && stat -c %u /mnt/r/f")),
                    "once owned by the remapped user, the ramfs is accepted and shows as root inside");
            assertEquals(user.start(), hostUid(ramfs.resolve("f")));
        } finally {
            CommandResult umount = env.suite().runner().run(List.of("umount", ramfs.toString()));
            assertTrue(umount.succeeded(), "umount " + ramfs + ":\n" + umount.describe());
        }
    }
}
