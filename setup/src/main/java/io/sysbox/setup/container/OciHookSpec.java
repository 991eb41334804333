package io.sysbox.setup.container;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.ExplicitMappings;
import io.sysbox.setup.spec.HostNamespaces;
import io.sysbox.setup.spec.SpecValidator;

import java.util.List;
import java.util.Optional;

/**
 * What a spec run by an unmodified runtime with sysbox's OCI hooks must be. The hooks cannot
 * convert it, so it must already be a system container's as far as identity goes: a user
 * namespace of its own, with mappings that never reach the host's root (SPEC §3's explicit
 * mappings: one contiguous range from container id 0, 65536 ids or more, the same host id for
 * uids and gids), and the private namespaces and valid knobs every system container has.
 */
final class OciHookSpec {
    private static final String HOW = "e.g. podman run --uidmap 0:100000:65536 --gidmap 0:100000:65536";

    private OciHookSpec() {}

    /** The container's single range, or why the spec is refused. */
    static ExplicitMappings check(Spec spec, HostNamespaces host) throws InvalidSpecException {
        Optional<Namespace> user = spec.namespaces().stream().filter(ns -> "user".equals(ns.type())).findFirst();
        if (user.isEmpty()) {
            throw new InvalidSpecException("linux.namespaces has no \"user\" entry, so the container's root would be"
                    + " the host's root; sysbox's OCI hooks run only containers with a user namespace of their own ("
                    + HOW + ")");
        }
        if (user.get().joinsExisting()) {
            throw new InvalidSpecException("linux.namespaces joins the existing user namespace " + user.get().path()
                    + "; sysbox's OCI hooks need a user namespace of the container's own, mapped in the spec (" + HOW + ")");
        }
        refuseHostRoot(spec.uidMappings(), "linux.uidMappings", "uid");
        refuseHostRoot(spec.gidMappings(), "linux.gidMappings", "gid");
        if (spec.uidMappings().isEmpty() || spec.gidMappings().isEmpty()) {
            throw new InvalidSpecException((spec.uidMappings().isEmpty() ? "linux.uidMappings" : "linux.gidMappings")
                    + " is empty: a container under sysbox's OCI hooks brings its own mappings (" + HOW + ")");
        }
        SpecValidator.validate(spec, host);
        return ExplicitMappings.of(spec).orElseThrow();
    }

    /** Any entry that maps some container id onto host id 0, wherever it is in the list. */
    private static void refuseHostRoot(List<IdMapping> mappings, String where, String kind) throws InvalidSpecException {
        for (IdMapping m : mappings) {
            if (m.hostId() <= 0 && m.hostId() + m.size() > 0) {
                throw new InvalidSpecException(where + " entry \"" + m + "\" maps container " + kind + " "
                        + (m.containerId() - m.hostId()) + " to host " + kind + " 0, the host's root; refused: map the"
                        + " container onto a subordinate range that does not include host id 0 (" + HOW + ")");
            }
        }
    }
}
