package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs converted specs with a real low-level runtime. crun is used because it can run without
 * cgroups (--cgroup-manager=disabled): the test process sits in the root cgroup of most v1
 * hierarchies, where tests must not create entries. crun 1.8.1 refuses hybrid hosts unless
 * cgroup2's controller list looks empty, so it runs in a private mount namespace with /dev/null
 * bound over that file (SPEC §10).
 */
class ConvertedSpecRunsTest {

    private static final IdMapping RANGE = new IdMapping(0, 165536, 65536);
    private static final String SCRIPT = String.join("; ",
            "id", "grep -E '^Cap(Eff|Bnd)' /proc/self/status", "cat /proc/self/uid_map",
            "hostname inner && echo hostname=$(hostname)",
            "mount -t tmpfs none /tmp && echo tmpfs-mounted && umount /tmp && echo tmpfs-unmounted",
            "unshare -m true && echo unshared",
            "echo ping=$(cat /proc/sys/net/ipv4/ping_group_range)",
            "mount | grep -E ' on /(sys|proc) '",
            "cat /dev/kmsg | wc -c | sed 's/^/kmsg-bytes=/'");

    /** A busybox rootfs owned by the container's root, as the manager's idmapped rootfs would show it. */
    private static Path bundle() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sysbox-spec-run");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "run")) Files.createDirectories(dir.resolve("rootfs/" + d));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String cmd : List.of("sh", "id", "grep", "cat", "hostname", "mount", "umount", "unshare", "wc", "sed")) {
            Files.createSymbolicLink(bin.resolve(cmd), Path.of("busybox"));
        }
        run(List.of("chown", "-R", "-h", RANGE.hostId() + ":" + RANGE.hostId(), dir.resolve("rootfs").toString()));
        return dir;
    }

    /** The Docker spec without what needs dockerd's files (hooks, bind sources). */
    private static Spec dockerSpecFor(Path bundle) {
        Spec spec = TestSpecs.docker();
        spec.json().remove("hooks");
        spec.process().put("terminal", false).remove("consoleSize");
        ArrayNode args = spec.process().putArray("args").add("sh").add("-c").add(SCRIPT);
        assertEquals(3, args.size());
        ArrayNode mounts = spec.mounts();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (Mount.of(mounts.get(i)).isBind()) mounts.remove(i);
        }
        return spec;
    }

    private static String runWithCrun(Spec spec, Path bundle) throws IOException, InterruptedException {
        // crun 1.8.1 only accepts 1.0.x; which version to announce is the engine layer's business.
        spec.json().put("ociVersion", "1.0.2-dev");
        spec.linux().remove("cgroupsPath");
        spec.write(bundle.resolve("config.json"));
        Path state = Files.createDirectories(bundle.resolve("crun-state"));
        String id = "sysbox-spec-test-" + ProcessHandle.current().pid();
        String hideV2 = Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.controllers"))
                ? "mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers && " : "";
        try {
            return run(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", hideV2
                    + "exec crun --root " + state + " --cgroup-manager=disabled run --bundle " + bundle + " " + id));
        } finally {
            run(List.of("crun", "--root", state.toString(), "delete", "-f", id));
        }
    }

    private static String run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not finish");
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static ConversionInputs inputs(Path bundle, boolean syscontMode) {
        return new ConversionInputs(RANGE, RANGE, bundle.resolve("rootfs").toString(), Map.of(),
                RuntimeCapabilities.ofThisProcess(), false, syscontMode, "unused", Optional.empty(), Optional.empty());
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("<no " + prefix + " in>\n" + out);
    }

    @Test
    void aConvertedDockerSpecRunsAsASystemContainer() throws Exception {
        Path bundle = bundle();
        try {
            Spec spec = dockerSpecFor(bundle);
            SpecValidator.validate(spec, HostNamespaces.ofThisProcess());
            SpecConverter.convert(spec, inputs(bundle, true));
            String out = runWithCrun(spec, bundle);

            assertTrue(out.contains("uid=0(root) gid=0(root)") || out.contains("uid=0 gid=0"), out);
            String status = Files.readString(Path.of("/proc/self/status"));
            long held = RuntimeCapabilities.mask(status, "CapEff") & RuntimeCapabilities.mask(status, "CapBnd");
            assertEquals("CapEff:\t" + String.format("%016x", held), line(out, "CapEff:"));
            assertEquals(List.of("0", "165536", "65536"), List.of(line(out, "         0").strip().split("\\s+")));
            assertTrue(out.contains("hostname=inner"), out);
            assertTrue(out.contains("tmpfs-mounted") && out.contains("tmpfs-unmounted"), out);
            assertTrue(out.contains("unshared"), out);
            assertEquals("ping=0 65535", line(out, "ping="));
            assertTrue(line(out, "sysfs on /sys").contains("(rw,"), out);
            assertTrue(line(out, "proc on /proc").contains("(rw,"), out);
            assertEquals("kmsg-bytes=0", line(out, "kmsg-bytes="));
        } finally {
            delete(bundle);
        }
    }

    @Test
    void inPlainModeDockersRestrictionsStay() throws Exception {
        Path bundle = bundle();
        try {
            Spec spec = dockerSpecFor(bundle);
            SpecConverter.convert(spec, inputs(bundle, false));
            String out = runWithCrun(spec, bundle);

            assertTrue(out.contains("uid=0"), "crun said: [" + out + "]");
            List<String> dockerCaps = new ArrayList<>();
            spec.process().get("capabilities").get("effective").forEach(c -> dockerCaps.add(c.asText()));
            BigInteger mask = new BigInteger(line(out, "CapEff:").substring("CapEff:".length()).strip(), 16);
            List<String> inside = RuntimeCapabilities.fromStatus("CapEff:\t" + mask.toString(16)
                    + "\nCapBnd:\tffffffffffffffff\n", 63).names();
            assertEquals(dockerCaps.stream().sorted().toList(), inside.stream().sorted().toList());
            assertFalse(out.contains("tmpfs-mounted"), out);
            assertFalse(out.contains("hostname=inner"), out);
            assertEquals("ping=0 65535", line(out, "ping="));
        } finally {
            delete(bundle);
        }
    }
}
