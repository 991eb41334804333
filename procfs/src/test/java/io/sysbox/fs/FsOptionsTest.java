package io.sysbox.fs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FsOptionsTest {
    @Test
    void defaultsAreTheSpecsPaths() throws Exception {
        FsOptions o = assertInstanceOf(FsOptions.Run.class, FsOptions.parse()).options();
        assertEquals(Path.of("/run/sysbox"), o.runDir());
        assertEquals(Path.of("/var/lib/sysboxfs"), o.mountpoint());
        assertEquals(Optional.empty(), o.logFile());
        assertEquals(io.sysbox.common.daemon.LogLevel.INFO, o.logLevel());
    }

    @Test
    void flagsTakeSpaceOrEqualsValues() throws Exception {
        FsOptions o = assertInstanceOf(FsOptions.Run.class, FsOptions.parse("--run-dir", "/tmp/r", "--mountpoint=/tmp/m",
                "--log", "/tmp/l", "--log-level=debug", "--log-format", "JSON", "--fuse-threads", "8")).options();
        assertEquals(new FsOptions(Path.of("/tmp/r"), Path.of("/tmp/m"), Optional.of(Path.of("/tmp/l")),
                io.sysbox.common.daemon.LogLevel.DEBUG, io.sysbox.common.daemon.LogFormat.JSON, 8), o);
        assertInstanceOf(FsOptions.Help.class, FsOptions.parse("--log-level", "warn", "-h"));
        assertInstanceOf(FsOptions.Version.class, FsOptions.parse("--version"));
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertEquals("--log-level 'loud' is not one of debug, info, warn, error",
                assertThrows(UsageException.class, () -> FsOptions.parse("--log-level", "loud")).getMessage());
        assertEquals("--mountpoint needs a value",
                assertThrows(UsageException.class, () -> FsOptions.parse("--mountpoint")).getMessage());
        assertEquals("unexpected argument 'extra' (sysbox-fs takes flags only)",
                assertThrows(UsageException.class, () -> FsOptions.parse("extra")).getMessage());
    }
}
