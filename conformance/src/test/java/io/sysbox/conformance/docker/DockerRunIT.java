package io.sysbox.conformance.docker;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3, acceptance 1 and 2: `docker run --runtime=sysbox-runc` against a private dockerd:
 * an exclusive id range, the everyday docker commands, storage options, refused host
 * namespaces, a shared user namespace with --net=container, root-owned files and setuid bits
 * inside, and root-owned files in `docker commit`.
 */
class DockerRunIT {
    private static DockerEnvironment env;
    private static SysboxFsProcess fs;
    private static String busybox;

    @BeforeAll
    static void start() throws Exception {
        env = DockerEnvironment.start("docker-run", Map.of());
        // As installed: sysbox-fs beside the manager, so Docker's specs get its files too.
        fs = SysboxFsProcess.start(env.suite());
        busybox = env.image("busybox");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // sysbox-fs goes after the containers and before the suite's check for leftover mounts.
            if (env != null) {
                for (String id : env.docker("ps", "-aq").stdout().split("\\s+")) {
                    if (!id.isBlank()) env.docker("rm", "-f", "-v", id);
                }
            }
        } finally {
            try {
                if (fs != null) fs.close();
            } finally {
                if (env != null) env.close();
            }
        }
    }

    private static String ok(CommandResult r) {
        return env.require(r);
    }

    private static String[] uidMap(String text) {
        return text.strip().split("\\s+");
    }

    @Test
    void runGetsAnExclusiveRangeAndTheHostNamespacesAreRefused() {
        String[] first = uidMap(ok(env.run("--rm", busybox, "cat", "/proc/self/uid_map")));
        assertEquals("0", first[0]);
        assertNotEquals("0", first[1], "never host uid 0");
        assertEquals("65536", first[2]);
        String one = ok(env.run("-d", busybox, "sleep", "600"));
        String two = ok(env.run("-d", busybox, "sleep", "600"));
        long a = Long.parseLong(uidMap(ok(env.docker("exec", one, "cat", "/proc/self/uid_map")))[1]);
        long b = Long.parseLong(uidMap(ok(env.docker("exec", two, "cat", "/proc/self/uid_map")))[1]);
        assertTrue(a + 65536 <= b || b + 65536 <= a, "two running containers share ids: " + a + " and " + b);
        ok(env.docker("rm", "-f", one, two));

        CommandResult host = env.run("--rm", "--net=host", busybox, "true");
        assertFalse(host.succeeded());
        assertTrue(host.stderr().contains("--net=host"), host.describe());
        CommandResult pid = env.run("--rm", "--pid=host", busybox, "true");
        assertFalse(pid.succeeded());
        assertTrue(pid.stderr().contains("pid namespace"), pid.describe());
    }

    @Test
    void everydayCommandsWork() {
        String id = ok(env.run("-d", "--memory", "256m", busybox, "sleep", "600"));
        assertEquals("hello", ok(env.docker("exec", id, "echo", "hello")));
        assertTrue(ok(env.docker("exec", "-t", id, "sh", "-c", "test -t 0 && echo tty")).contains("tty"));
        assertTrue(ok(env.docker("top", id)).contains("sleep"));
        ok(env.docker("pause", id));
        assertEquals("paused", ok(env.docker("inspect", "-f", "{{.State.Status}}", id)));
        ok(env.docker("unpause", id));
        assertEquals(Long.toString(256L << 20),
                ok(env.docker("exec", id, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")));
        ok(env.docker("update", "--memory", "300m", "--memory-swap", "600m", id));
        assertEquals(Long.toString(300L << 20),
                ok(env.docker("exec", id, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")));
        ok(env.docker("stop", "-t", "1", id));
        ok(env.docker("start", id));
        ok(env.docker("restart", "-t", "1", id));
        assertEquals("running", ok(env.docker("inspect", "-f", "{{.State.Status}}", id)));
        ok(env.docker("rm", "-f", id));
    }

    @Test
    void storageOptionsWork() throws Exception {
        Path bind = env.suite().rootOnlyDirectory("docker-bind");
        Files.writeString(bind.resolve("from-host"), "x");
        ok(env.docker("volume", "create", "sysbox-it-vol"));
        String out = ok(env.run("--rm", "--read-only", "--tmpfs", "/scratch",
                "-v", bind + ":/mnt/bind", "--mount", "source=sysbox-it-vol,target=/mnt/vol",
                busybox, "sh", "-c",
                "stat -c %u /mnt/bind/from-host; touch /mnt/vol/v && echo vol-ok; touch /scratch/t && echo tmpfs-ok;"
                        + " touch /rootfs-file 2>/dev/null || echo ro-ok"));
        assertTrue(out.contains("vol-ok") && out.contains("tmpfs-ok") && out.contains("ro-ok"), out);
        assertTrue(out.startsWith("0"), "a root-owned host file shows as root inside: " + out);
        ok(env.docker("volume", "rm", "sysbox-it-vol"));
    }

    @Test
    void netContainerSharesTheUserNamespace() {
        String owner = ok(env.run("-d", busybox, "sleep", "600"));
        String joined = ok(env.run("-d", "--net=container:" + owner, busybox, "sleep", "600"));
        assertEquals(ok(env.docker("exec", owner, "readlink", "/proc/self/ns/user")),
                ok(env.docker("exec", joined, "readlink", "/proc/self/ns/user")));
        ok(env.docker("rm", "-f", joined, owner));
    }

    @Test
    void filesAreRootOwnedInsideAndInACommittedImage() {
        String out = ok(env.run("--rm", busybox, "sh", "-c",
                "stat -c '%u %a' / /bin/suidtest; touch /created; stat -c %u /created"));
        assertEquals("0 755\n0 4755\n0", out.replace("\r", ""));
        String id = ok(env.run("-d", busybox, "sh", "-c", "touch /made-inside && sleep 600"));
        ok(env.docker("exec", id, "test", "-e", "/made-inside"));
        ok(env.docker("stop", "-t", "1", id));
        ok(env.docker("commit", id, "sysbox-it/committed:latest"));
        assertEquals("0", ok(env.docker("run", "--rm", "sysbox-it/committed:latest", "stat", "-c", "%u", "/made-inside")),
                "a file made inside is root-owned in the committed image (seen with the default runtime)");
        ok(env.docker("rm", "-f", id));
        ok(env.docker("rmi", "sysbox-it/committed:latest"));
    }

    /**
     * Docker's spec makes /proc/sys read-only (readonlyPaths), which the conversion drops; the
     * createRuntime hook binds sysbox-fs's kernel.panic, so a write inside stays inside.
     */
    @Test
    void aSysctlWrittenInsideIsSeenInsideOnly() throws IOException {
        Path panic = Path.of("/proc/sys/kernel/panic");
        String host = String.join("", Files.readAllLines(panic)).strip();
        String value = Integer.toString(Integer.parseInt(host) + 23);
        assertEquals(value, ok(env.run("--rm", busybox, "sh", "-c",
                "echo " + value + " > /proc/sys/kernel/panic && cat /proc/sys/kernel/panic")).strip());
        assertEquals(host, String.join("", Files.readAllLines(panic)).strip(), "the host's kernel.panic");
    }
}
