package io.sysbox.hook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sysbox-fs-mount's contract with sysbox-fs: its exit status is the errno of the failed mount call,
 * 126 for a usage error, 127 when it cannot enter the caller's namespaces (never acting outside
 * them). Its mounts in a container's namespaces are shown by conformance's MountInterceptionIT.
 */
class FsMountHelperTest {
    private static final String HELPER = System.getProperty("fs.mount");

    private static int run(List<String> args, StringBuilder output) throws Exception {
        List<String> command = new ArrayList<>(List.of(HELPER));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        output.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return p.waitFor();
    }

    @Test
    void usageErrorsExit126() throws Exception {
        StringBuilder out = new StringBuilder();
        assertEquals(126, run(List.of(), out));
        assertTrue(out.toString().contains("usage"), out.toString());
        assertEquals(126, run(List.of("1", "1", "no-such-job", "x"), new StringBuilder()));
        assertEquals(126, run(List.of("1", "1", "rbind", "/a"), new StringBuilder()));
    }

    @Test
    void aCallerThatIsGoneIsNeverActedForOnTheHost() throws Exception {
        StringBuilder out = new StringBuilder();
        // pid_max is at most 4194304: this pid never exists.
        assertEquals(127, run(List.of("99999999", "99999999", "cover", "/tmp"), out));
        assertTrue(out.toString().contains("cannot join"), out.toString());
        assertEquals(127, run(List.of("99999999", "99999999", "replica", "proc", "proc", "0", "-", "/tmp/x", "/proc",
                "uptime"), new StringBuilder()));
    }
}
