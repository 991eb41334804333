package io.sysbox.setup.container;

import io.sysbox.setup.resources.EmulatedTree;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmulatedFilesTest {
    private static final Path ROOT = Path.of("/var/lib/sysboxfs/c1");
    private static final Path READ_ONLY = Path.of("/var/lib/sysboxfs/.ro/c1");

    private static EmulatedTree tree() {
        return new EmulatedTree(ROOT, READ_ONLY,
                Set.of("proc", "proc/sys", "proc/sys/kernel", "sys", "sys/kernel", "sys/devices", "sys/devices/virtual"),
                Set.of("proc/uptime", "proc/meminfo", "proc/sys/kernel/panic", "proc/sys/kernel/osrelease"),
                Set.of("proc/uptime", "proc/meminfo", "proc/sys/kernel/osrelease"));
    }

    @Test
    void bindsWhatIsServedFromTheReadOnlyConnectionWhereServedThere() {
        Map<String, String> binds = new HashMap<>();
        EmulatedFiles.addTo(binds, tree());
        assertEquals(Map.of(
                "/proc/uptime", "/var/lib/sysboxfs/.ro/c1/proc/uptime",
                "/proc/meminfo", "/var/lib/sysboxfs/.ro/c1/proc/meminfo",
                // a directory bound whole comes from the read-write tree (EACCES on write, not EROFS)
                "/sys/kernel", "/var/lib/sysboxfs/c1/sys/kernel"), binds,
                "what is not served (swaps, cpuinfo, hashsize, ...) is not bound");
    }

    @Test
    void theHookBindsEverySysctlServedAndDevicesVirtual() {
        assertEquals(Map.of(
                "/proc/sys/kernel/panic", "/var/lib/sysboxfs/c1/proc/sys/kernel/panic",
                "/proc/sys/kernel/osrelease", "/var/lib/sysboxfs/.ro/c1/proc/sys/kernel/osrelease",
                "/sys/devices/virtual", "/var/lib/sysboxfs/c1/sys/devices/virtual"), EmulatedFiles.hookBinds(tree()));
    }

    @Test
    void aReadOnlyFileMustBeServed() {
        assertThrows(IllegalArgumentException.class, () -> new EmulatedTree(ROOT, READ_ONLY, Set.of(), Set.of(),
                Set.of("proc/uptime")));
    }
}
