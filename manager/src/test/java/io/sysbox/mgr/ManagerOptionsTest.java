package io.sysbox.mgr;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagerOptionsTest {
    private static ManagerOptions run(String... args) throws UsageException {
        return assertInstanceOf(ManagerOptions.Run.class, ManagerOptions.parse(args)).options();
    }

    @Test
    void defaultsAreTheDocumentedPaths() throws UsageException {
        ManagerOptions o = run();
        assertEquals(Path.of("/run/sysbox"), o.runDir());
        assertEquals(Path.of("/var/lib/sysbox"), o.dataRoot());
        assertEquals(Optional.empty(), o.logFile());
        assertEquals(io.sysbox.common.daemon.LogLevel.INFO, o.logLevel());
        assertTrue(o.syscontMode());
        assertFalse(o.honorCaps());
        assertEquals(65536, o.subidRangeSize());
        assertEquals(65536L * 4096, o.subidPoolSize());
        assertEquals(Path.of("/etc/subuid"), o.subuidFile());
        assertEquals(Path.of("/etc/subgid"), o.subgidFile());
    }

    @Test
    void everyFlagIsParsedInBothSpellings() throws UsageException {
        ManagerOptions o = run("--run-dir", "/r", "--data-root=/d", "--log", "/l.log", "--log-level=debug",
                "--log-format", "json", "--honor-caps", "--syscont-mode", "false", "--allow-trusted-xattr=true",
                "--ignore-sysfs-chown", "--relaxed-read-only", "--disable-inner-image-preload",
                "--subid-range-size", "131072", "--subid-pool-size=1310720", "--subuid-file", "/u", "--subgid-file", "/g",
                "--libexec-dir", "/x");
        assertEquals(new ManagerOptions(Path.of("/r"), Path.of("/d"), Optional.of(Path.of("/l.log")),
                io.sysbox.common.daemon.LogLevel.DEBUG, io.sysbox.common.daemon.LogFormat.JSON, true, false, true, true, true, true,
                131072, 1310720, Path.of("/u"), Path.of("/g"), Optional.of(Path.of("/x"))), o);
        assertFalse(run("--syscont-mode=false").syscontMode());
        assertFalse(run("--honor-caps", "false").honorCaps());
    }

    @Test
    void helpIsRecognised() throws UsageException {
        assertInstanceOf(ManagerOptions.Help.class, ManagerOptions.parse("--log-level", "warn", "--help"));
        assertInstanceOf(ManagerOptions.Help.class, ManagerOptions.parse("-h"));
    }

    @Test
    void mistakesAreUsageErrorsThatNameTheFlag() {
        assertTrue(assertThrows(UsageException.class, () -> ManagerOptions.parse("--bogus")).getMessage()
                .contains("--bogus"));
        assertTrue(assertThrows(UsageException.class, () -> ManagerOptions.parse("--log-level", "loud")).getMessage()
                .contains("debug, info, warn, error"));
        assertTrue(assertThrows(UsageException.class, () -> ManagerOptions.parse("--run-dir")).getMessage()
                .contains("needs a value"));
        assertTrue(assertThrows(UsageException.class, () -> ManagerOptions.parse("--subid-range-size", "1000"))
                .getMessage().contains("multiple of 65536"));
        assertTrue(assertThrows(UsageException.class, () -> ManagerOptions.parse("--syscont-mode=maybe"))
                .getMessage().contains("true or false"));
        assertTrue(assertThrows(UsageException.class,
                () -> ManagerOptions.parse("--subid-range-size", "131072", "--subid-pool-size", "65536"))
                .getMessage().contains("smaller than"));
        assertThrows(UsageException.class, () -> ManagerOptions.parse("stray"));
    }
}
