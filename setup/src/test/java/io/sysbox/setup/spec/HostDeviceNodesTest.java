package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.common.sys.DeviceNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.devices against the host's real nodes (/dev/null is c 1:3 on every Linux). */
class HostDeviceNodesTest {
    @TempDir
    Path dir;

    private static Spec withDevice(String path, String type, long major, long minor) {
        Spec spec = TestSpecs.docker();
        ObjectNode device = Spec.arrayIn(spec.linux(), "devices").addObject();
        device.put("path", path).put("type", type).put("major", major).put("minor", minor).put("fileMode", 0666);
        return spec;
    }

    @Test
    void aDeviceTheHostHasAtThatPathIsAccepted() {
        assertDoesNotThrow(() -> HostDeviceNodes.check(withDevice("/dev/null", "c", 1, 3)));
        assertDoesNotThrow(() -> HostDeviceNodes.check(withDevice("/dev/null", "u", 1, 3)));
    }

    /** runtime-tools' linux_devices: /dev/test1 (c 10:666), which no host has. */
    @Test
    void aDeviceTheHostLacksIsRefusedSayingWhy() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> HostDeviceNodes.check(withDevice("/dev/test1", "c", 10, 666)));
        assertTrue(e.getMessage().startsWith("linux.devices[0] /dev/test1 (c 10:666)"), e.getMessage());
        assertTrue(e.getMessage().contains("user namespace") && e.getMessage().contains("host has no /dev/test1"),
                e.getMessage());
    }

    /** Docker's --device /dev/sda:/dev/null would otherwise get the host's /dev/null silently. */
    @Test
    void anotherDeviceAtThatPathIsRefused() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> HostDeviceNodes.check(withDevice("/dev/null", "b", 8, 0)));
        assertTrue(e.getMessage().contains("the host's /dev/null is c 1:3, another device"), e.getMessage());
        assertThrows(InvalidSpecException.class, () -> HostDeviceNodes.check(withDevice("/dev/null", "c", 1, 5)));
    }

    @Test
    void aFifoNeedsAFifoOnTheHost() throws Exception {
        Path fifo = dir.resolve("fifo");
        DeviceNodes.mknod(fifo, 0010644, 0);
        assertDoesNotThrow(() -> HostDeviceNodes.check(withDevice(fifo.toString(), "p", 0, 0)));
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> HostDeviceNodes.check(withDevice("/dev/null", "p", 0, 0)));
        assertTrue(e.getMessage().contains("(a fifo)") && e.getMessage().contains("is c 1:3"), e.getMessage());
    }

    @Test
    void largeDeviceNumbersAreSplitAsGlibcDoes() {
        long major = 0x123abc;
        long minor = 0x45678;
        // glibc's makedev
        long rdev = ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
        assertEquals(major, HostDeviceNodes.major(rdev));
        assertEquals(minor, HostDeviceNodes.minor(rdev));
    }
}
