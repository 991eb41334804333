package io.sysbox.setup.container;

import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.NamespaceId;
import io.sysbox.setup.state.EngineState;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The container whose network namespace a new container joins ({@code --net=container:X}, a
 * pod's sandbox): containers of one pod share one emulation state in sysbox-fs (SPEC §6). The
 * spec names the namespace by a path (/proc/PID/ns/net, or a bind-mounted /run/netns/... file),
 * so the owner is the container of the same engine root whose init process is in that
 * namespace: compared by the namespace's device and inode, which every path to it shares.
 */
final class PodOwner {
    private PodOwner() {}

    /** The owner's id, or empty when the spec makes a namespace of its own or no container of the engine owns it. */
    static Optional<String> of(Spec spec, Path engineRoot, String self) {
        Optional<Path> joined = spec.namespaces().stream()
                .filter(ns -> ns.type().equals("network") && ns.joinsExisting())
                .map(Namespace::path).map(Path::of).findFirst();
        if (joined.isEmpty() || !Files.isDirectory(engineRoot)) return Optional.empty();
        NamespaceId target;
        try {
            target = NamespaceId.of(joined.get());
        } catch (IOException e) {
            return Optional.empty(); // the validator reports a namespace that does not exist
        }
        try (DirectoryStream<Path> containers = Files.newDirectoryStream(engineRoot)) {
            for (Path dir : containers) {
                String id = dir.getFileName().toString();
                if (id.equals(self)) continue;
                if (inNamespace(engineRoot, id, target)) return Optional.of(id);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether the init process the engine recorded for container ID is in the namespace {@code target}. */
    private static boolean inNamespace(Path engineRoot, String id, NamespaceId target) {
        try {
            OptionalLong pid = EngineState.initPid(engineRoot, id);
            return pid.isPresent() && NamespaceId.of(Path.of("/proc", Long.toString(pid.getAsLong()), "ns", "net")).equals(target);
        } catch (IOException e) {
            return false; // being created or deleted meanwhile: not an owner
        }
    }
}
