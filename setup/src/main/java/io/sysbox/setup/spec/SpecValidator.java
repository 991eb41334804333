package io.sysbox.setup.spec;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses, before anything is allocated or mounted, a spec that cannot become a system container
 * (SPEC §3): shared host namespaces, explicit mappings sysbox cannot honour, bad SYSBOX_* knobs, no
 * rootfs, devices the engine cannot bind from the host. Each message names the field and says how to fix it.
 */
public final class SpecValidator {

    /** Namespaces that must be private, in the order they are checked, with the engine flag that shares them. */
    private static final List<String> PRIVATE = List.of("pid", "ipc", "uts", "mount", "network");
    private static final Map<String, String> HOW_TO_FIX = Map.of(
            "pid", "--pid=host is not supported by system containers (nor hostPID in Kubernetes)",
            "ipc", "--ipc=host is not supported by system containers (nor hostIPC in Kubernetes)",
            "uts", "--uts=host is not supported by system containers",
            "mount", "system containers need their own mount namespace",
            "network", "--net=host is not supported by system containers (nor hostNetwork in Kubernetes)",
            "user", "system containers always run in a user namespace of their own or of their pod",
            "cgroup", "system containers need their own cgroup namespace");

    private SpecValidator() {
    }

    public static void validate(Spec spec, HostNamespaces host) throws InvalidSpecException {
        if (spec.rootPath().filter(p -> !p.isEmpty()).isEmpty()) {
            throw new InvalidSpecException("root.path: missing; the spec must name the container's root filesystem"
                    + " (e.g. \"root\": {\"path\": \"rootfs\"})");
        }
        SysboxKnobs.parse(spec);
        ProcessCwd.check(spec.json().path("process").path("cwd").asText("/"), "process.cwd");
        checkNamespaces(spec.namespaces(), host);
        ExplicitMappings.of(spec);
        HostDeviceNodes.check(spec);
    }

    private static void checkNamespaces(List<Namespace> namespaces, HostNamespaces host) throws InvalidSpecException {
        for (String type : PRIVATE) {
            Optional<Namespace> entry = namespaces.stream().filter(n -> type.equals(n.type())).findFirst();
            if (entry.isEmpty()) {
                throw new InvalidSpecException("linux.namespaces: no \"" + type + "\" entry, so the container would"
                        + " share the host's " + type + " namespace; " + HOW_TO_FIX.get(type)
                        + " (add {\"type\": \"" + type + "\"})");
            }
        }
        // Joining an existing namespace is fine (pods, --net=container:X) unless it is the host's own;
        // user and cgroup are checked too because they are always private in a system container.
        for (Namespace ns : namespaces) {
            if (!ns.joinsExisting() || !HOW_TO_FIX.containsKey(ns.type())) continue;
            boolean isHost;
            try {
                isHost = host.isHost(ns.type(), Path.of(ns.path()));
            } catch (NoSuchFileException e) {
                throw new InvalidSpecException("linux.namespaces: the " + ns.type() + " namespace path " + ns.path()
                        + " does not exist; is the container or pod that owns it running?");
            } catch (IOException e) {
                // A host process sysbox may not inspect (its init, say): refused here, not as a deep EPERM of runc's setns.
                String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
                throw new InvalidSpecException("linux.namespaces: the " + ns.type() + " namespace path " + ns.path()
                        + " cannot be examined (" + why + "), so sysbox cannot tell that it is not the host's; a system"
                        + " container joins only namespaces of another container or its pod (remove the path to get a"
                        + " new " + ns.type() + " namespace)");
            }
            if (isHost) {
                throw new InvalidSpecException("linux.namespaces: the " + ns.type() + " namespace path " + ns.path()
                        + " is the host's " + ns.type() + " namespace; " + HOW_TO_FIX.get(ns.type()));
            }
        }
    }
}
