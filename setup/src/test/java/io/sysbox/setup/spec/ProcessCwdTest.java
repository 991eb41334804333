package io.sysbox.setup.spec;

import io.sysbox.common.oci.InvalidSpecException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CVE-2024-21626's working directories, however spelled, refused; every other one left alone. */
class ProcessCwdTest {
    @Test
    void workingDirectoriesInProcAreRefused() {
        for (String cwd : new String[] {"/proc/self/fd/7", "/proc/1/fd/3", "/../proc/self/fd/8", "/tmp/../proc/self/cwd",
                "proc/self/fd/9", "/proc"}) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ProcessCwd.check(cwd, "process.cwd"), cwd);
            assertTrue(e.getMessage().startsWith("process.cwd \"" + cwd + "\"") && e.getMessage().contains("CVE-2024-21626"),
                    e.getMessage());
        }
    }

    @Test
    void otherWorkingDirectoriesPass() {
        for (String cwd : new String[] {"/", "/root", "/procfs", "/srv/proc/self", "/tmp/../root"}) {
            assertDoesNotThrow(() -> ProcessCwd.check(cwd, "process.cwd"), cwd);
        }
    }
}
