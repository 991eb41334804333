package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;
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
 * The container a new container shares its user namespace, mapping and emulation state with
 * (SPEC §6: one range and one state per pod), and that container's init process.
 *
 * <p>A CRI pod's container names its pod's sandbox in the annotations the CRI runtime writes
 * (CriSandbox.idOf): the owner is that container, which must be running under the same engine
 * root, and the spec must join the sandbox's network namespace if it joins one. Otherwise
 * ({@code --net=container:X}) the spec names the namespace only by a path (/proc/PID/ns/net, or a
 * bind-mounted /run/netns/... file), so the owner is the container of the same engine root whose
 * init process is in that namespace: compared by the namespace's device and inode, which every
 * path to it shares.
 */
record PodOwner(String id, long initPid) {

    /** The owner, or empty when the spec makes a network namespace of its own or no container of the engine owns it. */
    static Optional<PodOwner> of(Spec spec, Path engineRoot, String self) throws InvalidSpecException {
        Optional<String> sandbox = CriSandbox.idOf(spec).filter(id -> !id.equals(self));
        if (sandbox.isPresent()) return Optional.of(sandbox(spec, engineRoot, sandbox.get()));
        Optional<Path> joined = joinedNetwork(spec);
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
                OptionalLong pid = initPidIn(engineRoot, id, target);
                if (pid.isPresent()) return Optional.of(new PodOwner(id, pid.getAsLong()));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The pod's sandbox SANDBOX, which a container of a CRI pod cannot do without. */
    private static PodOwner sandbox(Spec spec, Path engineRoot, String sandbox) throws InvalidSpecException {
        OptionalLong pid;
        try {
            pid = EngineState.initPid(engineRoot, sandbox);
        } catch (IOException e) {
            pid = OptionalLong.empty();
        }
        if (pid.isEmpty() || !Files.exists(Path.of("/proc", Long.toString(pid.getAsLong()), "ns", "user"))) {
            throw new InvalidSpecException("the spec's CRI annotations name pod sandbox " + sandbox + ", which is not"
                    + " a running container of this runtime (" + engineRoot + "): the containers of a pod join its"
                    + " sandbox's user namespace (CRI-O runs a pod that shares no pid namespace without an infra"
                    + " container unless drop_infra_ctr = false)");
        }
        Optional<Path> joined = joinedNetwork(spec);
        if (joined.isPresent()) {
            Path sandboxNetwork = Path.of("/proc", Long.toString(pid.getAsLong()), "ns", "net");
            boolean same;
            try {
                same = NamespaceId.of(joined.get()).equals(NamespaceId.of(sandboxNetwork));
            } catch (IOException e) {
                throw new InvalidSpecException("cannot compare network namespace " + joined.get() + " with pod sandbox "
                        + sandbox + "'s: " + e.getMessage());
            }
            if (!same) {
                throw new InvalidSpecException("network namespace " + joined.get() + " is not that of pod sandbox "
                        + sandbox + ", which the spec's CRI annotations name");
            }
        }
        return new PodOwner(sandbox, pid.getAsLong());
    }

    private static Optional<Path> joinedNetwork(Spec spec) {
        return spec.namespaces().stream()
                .filter(ns -> ns.type().equals("network") && ns.joinsExisting())
                .map(Namespace::path).map(Path::of).findFirst();
    }

    /** The init process the engine recorded for container ID, if it is in the namespace {@code target}. */
    private static OptionalLong initPidIn(Path engineRoot, String id, NamespaceId target) {
        try {
            OptionalLong pid = EngineState.initPid(engineRoot, id);
            if (pid.isPresent() && NamespaceId.of(Path.of("/proc", Long.toString(pid.getAsLong()), "ns", "net")).equals(target)) {
                return pid;
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty(); // being created or deleted meanwhile: not an owner
        }
    }
}
