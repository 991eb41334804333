package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.HostNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Joined ipc, uts, mount and pid namespaces must belong to the container's user namespace:
 * real namespaces made by unshare(1), in the host's user namespace and in one of their own.
 */
class JoinedNamespacesTest {

    private static Spec spec(String type, Path path, Optional<Path> userns) throws Exception {
        String user = userns.map(p -> "{\"type\":\"user\",\"path\":\"" + p + "\"}").orElse("{\"type\":\"user\"}");
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":["
                + "{\"type\":\"" + type + "\",\"path\":\"" + path + "\"}," + user + "]}}";
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    /** linux_ns_path of runtime-tools: namespaces `unshare --ipc` (and the like) made on the host. */
    @ParameterizedTest
    @CsvSource({"ipc, ipc, --ipc, mqueue", "uts, uts, --uts, hostname", "mount, mnt, --mount, mount",
            "pid, pid_for_children, --pid --fork, /proc"})
    void aNamespaceOfTheHostsUserNamespaceIsRefusedSayingWhy(String type, String kind, String flags, String why)
            throws Exception {
        try (UnsharedProcess host = new UnsharedProcess(kind, flags.split(" "))) {
            Spec spec = spec(type, host.ns(kind), Optional.empty());
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> JoinedNamespaces.checkOwned(spec, HostNamespaces.ofThisProcess()));
            String message = e.getMessage();
            assertTrue(message.contains("the " + type + " namespace " + host.ns(kind)), message);
            assertTrue(message.contains("the host's user namespace"), message);
            assertTrue(message.contains(why), message);
        }
    }

    @Test
    void aNamespaceOfAnotherUserNamespaceIsRefusedToAContainerSharingADifferentOne() throws Exception {
        try (UnsharedProcess owner = new UnsharedProcess("ipc", "--user", "--map-root-user", "--ipc");
             UnsharedProcess other = new UnsharedProcess("user", "--user", "--map-root-user")) {
            Spec spec = spec("ipc", owner.ns("ipc"), Optional.of(other.ns("user")));
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> JoinedNamespaces.checkOwned(spec, HostNamespaces.ofThisProcess()));
            assertTrue(e.getMessage().contains("a user namespace that is not the container's"), e.getMessage());
        }
    }

    /** A pod's containers: the sandbox's ipc and uts namespaces, joined with the sandbox's user namespace. */
    @Test
    void namespacesOfTheJoinedUserNamespaceAreAccepted() throws Exception {
        try (UnsharedProcess sandbox = new UnsharedProcess("ipc", "--user", "--map-root-user", "--ipc", "--uts")) {
            for (String type : new String[] {"ipc", "uts"}) {
                Spec spec = spec(type, sandbox.ns(type), Optional.of(sandbox.ns("user")));
                assertDoesNotThrow(() -> JoinedNamespaces.checkOwned(spec, HostNamespaces.ofThisProcess()));
            }
        }
    }

    @Test
    void newNamespacesAreNotChecked() throws Exception {
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":["
                + "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"user\"}]}}";
        Spec spec = Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test");
        assertDoesNotThrow(() -> JoinedNamespaces.checkOwned(spec, HostNamespaces.ofThisProcess()));
    }
}
