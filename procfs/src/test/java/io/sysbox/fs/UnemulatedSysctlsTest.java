package io.sysbox.fs;

import io.sysbox.fs.testing.HostSysctls;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why most of /proc/sys is not emulated: in a user namespace whose root is not the host's (as a
 * system container's), the kernel itself refuses writes to global sysctls and keeps the
 * per-network-namespace ones to the caller's namespace. The writes here give each file the
 * host's current value, so even a kernel that let them through would change nothing.
 */
class UnemulatedSysctlsTest {
    /** Host uid of the namespace's root, as for a container mapped at 100000. */
    private static final int ROOT_UID = 100000;

    /** Runs {@code script} as root of a new user namespace (and network namespace if asked) whose root is ROOT_UID. */
    private static String asContainerRoot(boolean newNetwork, String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + ROOT_UID, "--regid=" + ROOT_UID,
                "--clear-groups", "unshare", "--user", "--map-root-user"));
        if (newNetwork) command.add("--net");
        command.addAll(List.of("sh", "-c", script));
        Process p = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return output;
    }

    @Test
    void globalSysctlsAreReadableAndRefuseWritesFromAContainersRoot() throws Exception {
        for (String name : List.of("vm/swappiness", "kernel/threads-max", "fs/pipe-max-size")) {
            Path host = Path.of("/proc/sys").resolve(name);
            String before = HostSysctls.read(name);
            String output = asContainerRoot(false, "cat " + host + " && if echo " + before.strip() + " > " + host
                    + "; then echo WRITTEN; else echo REFUSED; fi");
            assertTrue(output.startsWith(before), name + ": " + output);
            assertTrue(output.contains("Permission denied") && output.endsWith("REFUSED\n"), name + ": " + output);
            assertEquals(before, HostSysctls.read(name), name);
        }
    }

    @Test
    void perNetworkNamespaceLimitsAreTheContainersOwn() throws Exception {
        for (String name : List.of("net/core/somaxconn", "net/unix/max_dgram_qlen",
                "net/netfilter/nf_conntrack_generic_timeout", "net/netfilter/nf_conntrack_tcp_timeout_established",
                "net/netfilter/nf_conntrack_tcp_timeout_close_wait")) {
            Path host = Path.of("/proc/sys").resolve(name);
            if (!Files.exists(host)) continue;
            String before = HostSysctls.read(name);
            long other = Long.parseLong(before.strip()) + 1;
            String output = asContainerRoot(true, "echo " + other + " > " + host + " && cat " + host);
            assertEquals(other + "\n", output, name);
            assertEquals(before, HostSysctls.read(name), name);
        }
    }
}
