package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Destinations judged where they lead inside the rootfs; /proc/sys and below refused. */
class ProcSysDestinationsTest {
    @TempDir
    Path rootfs;

    private static Spec withMount(String destination) {
        ObjectNode json = Spec.JSON.createObjectNode();
        json.putArray("mounts").addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        json.withArray("mounts").addObject().put("destination", destination).put("type", "tmpfs").put("source", "tmpfs");
        return new Spec(json);
    }

    @Test
    void linksAreFollowedInsideTheRootfs() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/rel"), Path.of("../var/./lib"));
        Files.createSymbolicLink(rootfs.resolve("loop"), Path.of("/loop"));
        assertEquals("/etc/x", ProcSysDestinations.resolveInside(rootfs, "/abs/x"));
        assertEquals("/var/lib/y", ProcSysDestinations.resolveInside(rootfs, "/abs/rel/y"));
        assertEquals("/tmp", ProcSysDestinations.resolveInside(rootfs, "/../../../tmp"));
        assertEquals("/loop", ProcSysDestinations.resolveInside(rootfs, "/loop"), "a loop ends after 40 links");
    }

    @Test
    void procSysAndBelowAreRefusedAlsoThroughALink() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("sneaky"), Path.of("/proc/./sys"));
        for (String destination : new String[] {"/proc/sys", "/proc/sys/kernel", "//proc/../proc/sys/", "/sneaky"}) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> ProcSysDestinations.check(withMount(destination), rootfs), destination);
            assertTrue(e.getMessage().contains("mounts[1]: destination " + destination)
                    && e.getMessage().contains("/proc/sys"), e.getMessage());
        }
    }

    @Test
    void otherProcAndSysDestinationsAreLeftToTheRuntime() {
        for (String destination : new String[] {"/proc", "/proc/uptime", "/proc/system", "/sys", "/procsys"}) {
            assertDoesNotThrow(() -> ProcSysDestinations.check(withMount(destination), rootfs), destination);
        }
    }
}
