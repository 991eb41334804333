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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real sysfs of a real network namespace (unshare -n), mounted from this multi-threaded JVM. */
class NetworkSysfsTest {
    @TempDir
    Path tmp;
    private Process holder;
    private Path target;

    @BeforeEach
    void startHolder() throws Exception {
        holder = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Path ns = Path.of("/proc", Long.toString(holder.pid()), "ns", "net");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Files.readSymbolicLink(ns).toString().equals(host)) {
            assertTrue(holder.isAlive() && Instant.now().isBefore(deadline), "unshare -n did not start");
            Thread.sleep(10);
        }
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
        NetworkSysfs.mount(Path.of("/proc", Long.toString(holder.pid()), "ns", "net"), target);
        assertEquals(List.of("lo"), names(target.resolve("class/net")));
        assertNotEquals(List.of("lo"), names(Path.of("/sys/class/net")), "the host has more than lo");
        assertEquals(before, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
    }

    @Test
    void aMissingNamespaceIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> NetworkSysfs.mount(tmp.resolve("no-such-ns"), target));
        assertTrue(e.getMessage().contains("network namespace " + tmp.resolve("no-such-ns")), e.getMessage());
    }
}
