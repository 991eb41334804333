package io.sysbox.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 2, acceptance 3: every namespace is private, and specs sharing one with the host are refused. */
class NamespaceIT extends SuiteLifecycle {
    private static final List<String> NAMESPACES = List.of("user", "cgroup", "pid", "net", "ipc", "uts", "mnt");

    @Test
    void everyNamespaceOfTheContainerDiffersFromTheHosts() throws IOException {
        String id = containers.startSleeping("ns");
        String script = "for n in " + String.join(" ", NAMESPACES) + "; do echo \"$n $(readlink /proc/1/ns/$n)\"; done";
        Map<String, String> inside = new HashMap<>();
        for (String line : containers.exec(id, "sh", "-c", script).strip().split("\n")) {
            String[] f = line.split(" ", 2);
            inside.put(f[0], f.length > 1 ? f[1] : "");
        }
        for (String ns : NAMESPACES) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
            String theirs = inside.get(ns);
            assertTrue(theirs != null && theirs.startsWith(ns + ":["), "readlink /proc/1/ns/" + ns + " inside gave " + theirs);
            assertNotEquals(host, theirs, ns + " namespace is shared with the host");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"network", "pid", "ipc", "uts", "mount"})
    void aSpecWithoutAPrivateNamespaceIsRefusedNamingIt(String type) throws IOException {
        String id = env.newContainerId("ns-dropped");
        BusyboxBundle bundle = env.bundle(id).withoutNamespace(type).write();
        Path pidFile = env.directory("pids").resolve(id + ".pid");
        CommandResult create = containers.runc().run("create", "--bundle", bundle.dir().toString(),
                "--pid-file", pidFile.toString(), id);
        containers.assertRefused(create, type);
        assertFalse(Files.exists(pidFile), "a refused create wrote a pid file");
        assertNotEquals(0, containers.runc().run("state", id).exitCode(), "a refused container has state");
        assertEquals(List.of(), env.leakCheck().leaks(), "a refused create left something behind");
    }
}
