package io.sysbox.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 6: bad input is refused with a message that says what is wrong, a
 * non-zero exit status, and nothing left behind (mount, private dir, cgroup, id range).
 */
class BadInputIT extends SuiteLifecycle {
    private static final List<String> AS_NOBODY = List.of(Prerequisites.SETPRIV.toString(),
            "--reuid=65534", "--regid=65534", "--clear-groups");

    @Test
    void malformedConfigJson() throws IOException {
        String id = env.newContainerId("bad-a");
        BusyboxBundle bundle = env.bundle(id);
        Files.writeString(bundle.configFile(), "{ \"ociVersion\": \"1.0.2\", \"process\": ");
        CommandResult create = create(bundle, id);
        containers.assertRefused(create);
        assertTrue(create.stderr().contains(bundle.configFile().toString())
                        || containers.messageWords(create).contains("config.json"),
                "the message should name the config.json:\n" + create.describe());
        String message = containers.messageWords(create);
        assertTrue(List.of("malformed", "invalid", "parse", "unexpected").stream().anyMatch(message::contains),
                "the message should say the JSON is malformed:\n" + create.describe());
        assertNothingLeft(id);
    }

    @Test
    void missingRootfs() throws IOException {
        String id = env.newContainerId("bad-b");
        BusyboxBundle bundle = env.bundle(id);
        TreeRemoval.remove(bundle.rootfs());
        CommandResult create = create(bundle, id);
        containers.assertRefused(create);
        assertTrue(create.stderr().contains(bundle.rootfs().toString())
                        || containers.messageWords(create).contains("rootfs"),
                "the message should name the rootfs:\n" + create.describe());
        String message = containers.messageWords(create);
        assertTrue(List.of("exist", "no such", "missing", "not found").stream().anyMatch(message::contains),
                "the message should say the rootfs is missing:\n" + create.describe());
        assertNothingLeft(id);
    }

    @Test
    void unknownSysboxKnob() throws IOException {
        String id = env.newContainerId("bad-c");
        CommandResult create = create(env.bundle(id).env("SYSBOX_FOO", "TRUE").write(), id);
        containers.assertRefused(create, "SYSBOX_FOO");
        assertNothingLeft(id);
    }

    @Test
    void nonBooleanHonorCaps() throws IOException {
        String id = env.newContainerId("bad-d");
        CommandResult create = create(env.bundle(id).env("SYSBOX_HONOR_CAPS", "maybe").write(), id);
        containers.assertRefused(create, "SYSBOX_HONOR_CAPS", "maybe");
        assertNothingLeft(id);
    }

    @Test
    void hostNetworkNamespaceOfPid1() throws IOException {
        String id = env.newContainerId("bad-e");
        CommandResult create = create(env.bundle(id).namespacePath("network", "/proc/1/ns/net").write(), id);
        containers.assertRefused(create, "network");
        assertNothingLeft(id);
    }

    /** The host's namespace through a path the runtime can examine: this test process's own. */
    @Test
    void hostNetworkNamespaceOfAHostProcess() throws IOException {
        String id = env.newContainerId("bad-f");
        String path = "/proc/" + ProcessHandle.current().pid() + "/ns/net";
        CommandResult create = create(env.bundle(id).namespacePath("network", path).write(), id);
        containers.assertRefused(create, "network", "host");
        assertNothingLeft(id);
    }

    @Test
    void mappingToHostRoot() throws IOException {
        String id = env.newContainerId("bad-g");
        CommandResult create = create(env.bundle(id).idMappings(0, 65536).write(), id);
        containers.assertRefused(create, "host");
        String message = containers.messageWords(create);
        assertTrue(message.contains("uid") || message.contains("mapping"),
                "the message should name the uid mapping:\n" + create.describe());
        assertNothingLeft(id);
    }

    /** runtime-tools' linux_devices: in a user namespace runc binds the host's node at that path, and there is none. */
    @Test
    void aDeviceTheHostLacks() throws IOException {
        String id = env.newContainerId("bad-dev");
        BusyboxBundle bundle = env.bundle(id);
        bundle.linux().putArray("devices").addObject().put("path", "/dev/test1").put("type", "c")
                .put("major", 10).put("minor", 666).put("fileMode", 0660);
        CommandResult create = create(bundle.write(), id);
        containers.assertRefused(create, "linux.devices", "/dev/test1", "user namespace", "host");
        assertNothingLeft(id);
    }

    @Test
    void managerNotRunning() throws IOException {
        String id = env.newContainerId("bad-h");
        BusyboxBundle bundle = env.bundle(id);
        Path emptyRunDir = env.directory("empty-run-dir");
        CommandResult create = containers.runc().withRunDir(emptyRunDir).run("create", "--bundle",
                bundle.dir().toString(), "--pid-file", pidFile(id).toString(), id);
        containers.assertRefused(create);
        String message = containers.messageWords(create);
        assertTrue(message.contains("sysbox-mgr") || message.contains("manager"),
                "the message should say the manager is not running:\n" + create.describe());
        assertNothingLeft(id);
    }

    @Test
    void notRoot() throws IOException {
        CommandResult javaAsNobody = env.runner().run(concat(AS_NOBODY,
                List.of("/bin/sh", "-c", "test -r \"$1\" && test -r \"$2\" && exec \"$3\" -version",
                        "sh", env.dist().root().resolve("lib/launcher.sh").toString(),
                        env.dist().root().resolve("lib/sysbox-runc.jar").toString(),
                        "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")));
        assertEquals(0, javaAsNobody.exitCode(), () -> "uid 65534 cannot read dist/ or run the JDK, so the not-root"
                + " check cannot be exercised (make dist/ and the JDK world-readable):\n" + javaAsNobody.describe());

        String id = env.newContainerId("bad-i");
        BusyboxBundle bundle = env.bundle(id);
        SysboxRunc asNobody = containers.runc().runThrough(AS_NOBODY);
        CommandResult create = asNobody.run("create", "--bundle", bundle.dir().toString(), id);
        containers.assertRefused(create, "root");
        CommandResult list = asNobody.run("list");
        containers.assertRefused(list, "root");
        assertNothingLeft(id);
    }

    private CommandResult create(BusyboxBundle bundle, String id) throws IOException {
        return new CreateRefusals(env, containers).create(bundle, id);
    }

    private Path pidFile(String id) throws IOException {
        return new CreateRefusals(env, containers).pidFile(id);
    }

    private void assertNothingLeft(String id) throws IOException {
        new CreateRefusals(env, containers).assertNothingLeft(id);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
