package io.sysbox.mgr.mounts;

import io.sysbox.common.sys.MountApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real sysfs and sysctls of a real network namespace (unshare -n), from this multi-threaded JVM. */
class ForeignNetworkTest {
    @TempDir
    Path tmp;
    private Process holder;
    private Path target;

    @BeforeEach
    void startHolder() throws Exception {
        holder = io.sysbox.mgr.testing.HostFixtures.networkNamespaceHolder();
        target = tmp.resolve("sysfs");
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (target != null && Files.exists(target.resolve("class"))) MountApi.umount(target.toString(), MountApi.MNT_DETACH);
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void listsTheDevicesOfTheJoinedNamespaceOnlyAndLeavesTheCallersNamespaceAlone() throws Exception {
        String before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        String hostPortStart = Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip();
        ForeignNetwork.prepare(Path.of("/proc", Long.toString(holder.pid()), "ns", "net"), target,
                Map.of("net.ipv4.ip_unprivileged_port_start", "0", "net/ipv4/ping_group_range", "0 0"));
        assertEquals(List.of("lo"), names(target.resolve("class/net")));
        assertNotEquals(List.of("lo"), names(Path.of("/sys/class/net")), "the host has more than lo");
        assertEquals(before, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        assertEquals("0", inHolder("cat /proc/sys/net/ipv4/ip_unprivileged_port_start"));
        assertEquals("0\t0", inHolder("cat /proc/sys/net/ipv4/ping_group_range"));
        assertEquals(hostPortStart, Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip(),
                "the host's own value is untouched");
    }

    @Test
    void onlyNetworkSysctlsAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> ForeignNetwork.prepare(
                Path.of("/proc", Long.toString(holder.pid()), "ns", "net"), target, Map.of("kernel.panic", "1")));
    }

    @Test
    void aSysctlThatCannotBeWrittenIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> ForeignNetwork.prepare(
                Path.of("/proc", Long.toString(holder.pid()), "ns", "net"), target, Map.of("net.no.such.knob", "1")));
        assertTrue(e.getMessage().contains("cannot set sysctl net.no.such.knob=1"), e.getMessage());
    }

    private String inHolder(String command) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=/proc/" + holder.pid() + "/ns/net", "sh", "-c", command).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor());
        return out;
    }

    @Test
    void aMissingNamespaceIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> ForeignNetwork.prepare(tmp.resolve("no-such-ns"), target, Map.of()));
        assertTrue(e.getMessage().contains("network namespace " + tmp.resolve("no-such-ns")), e.getMessage());
    }
}
