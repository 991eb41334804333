package io.sysbox.setup.spec;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Mappings the spec already carries (Docker userns-remap, CRI user namespaces), reduced to one
 * range each after the checks of SPEC §3: the manager and the idmapped mounts work with a single
 * contiguous range per container, and a shared uid/gid host base keeps file ownership coherent.
 */
public record ExplicitMappings(IdMapping uid, IdMapping gid) {

    /** Fewer ids would leave common system users (nobody = 65534) unmapped inside. */
    public static final long MIN_SIZE = 65536;
    /** (uid_t) -1 is not a valid id, so a range may end at 2^32 - 1 at most. */
    private static final long ID_LIMIT = 0xFFFF_FFFFL;

    /** The spec's mappings, or empty when it has none (the manager then allocates a range). */
    public static Optional<ExplicitMappings> of(Spec spec) throws InvalidSpecException {
        List<IdMapping> uids = spec.uidMappings();
        List<IdMapping> gids = spec.gidMappings();
        if (uids.isEmpty() && gids.isEmpty()) return Optional.empty();
        if (uids.isEmpty() || gids.isEmpty()) {
            throw new InvalidSpecException("linux." + (uids.isEmpty() ? "gidMappings" : "uidMappings")
                    + " is set but linux." + (uids.isEmpty() ? "uidMappings" : "gidMappings")
                    + " is empty; give both or neither (without mappings sysbox allocates a range itself)");
        }
        return Optional.of(check(uids, gids, "linux.uidMappings", "linux.gidMappings"));
    }

    /** Applies every rule; WHERE names the origin of each list in the error messages. */
    public static ExplicitMappings check(List<IdMapping> uids, List<IdMapping> gids, String uidWhere, String gidWhere)
            throws InvalidSpecException {
        IdMapping uid = single(uids, uidWhere);
        IdMapping gid = single(gids, gidWhere);
        if (uid.hostId() != gid.hostId()) {
            throw new InvalidSpecException(uidWhere + " starts at host id " + uid.hostId() + " but " + gidWhere
                    + " at host id " + gid.hostId() + "; system containers need the same host id for uids and gids"
                    + " (give the same start in /etc/subuid and /etc/subgid)");
        }
        return new ExplicitMappings(uid, gid);
    }

    private static IdMapping single(List<IdMapping> list, String where) throws InvalidSpecException {
        List<IdMapping> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingLong(IdMapping::containerId));
        for (IdMapping m : sorted) {
            if (m.size() <= 0 || m.containerId() < 0 || m.hostId() < 0) {
                throw new InvalidSpecException(where + ": entry \"" + m + "\" (containerID hostID size) is not valid;"
                        + " ids must be non-negative and the size positive");
            }
        }
        IdMapping merged = sorted.getFirst();
        for (IdMapping next : sorted.subList(1, sorted.size())) {
            if (next.containerId() != merged.containerId() + merged.size()
                    || next.hostId() != merged.hostId() + merged.size()) {
                throw new InvalidSpecException(where + ": the entries do not form one contiguous range (\"" + merged
                        + "\" is not followed by \"" + next + "\"); system containers need a single range"
                        + " (containerID hostID size), e.g. \"0 100000 65536\"");
            }
            merged = new IdMapping(merged.containerId(), merged.hostId(), merged.size() + next.size());
        }
        if (merged.containerId() != 0) {
            throw new InvalidSpecException(where + ": the range \"" + merged + "\" starts at container id "
                    + merged.containerId() + "; it must start at container id 0 so that the container has a root user");
        }
        if (merged.size() < MIN_SIZE) {
            throw new InvalidSpecException(where + ": the range \"" + merged + "\" has " + merged.size()
                    + " ids; system containers need at least " + MIN_SIZE + " (enlarge the subordinate id range)");
        }
        if (merged.hostId() == 0) {
            throw new InvalidSpecException(where + ": the range \"" + merged + "\" maps container root to host id 0"
                    + " (host root); use a subordinate range, e.g. from /etc/subuid and /etc/subgid");
        }
        if (merged.hostId() + merged.size() > ID_LIMIT) {
            throw new InvalidSpecException(where + ": the range \"" + merged + "\" ends beyond the largest host id "
                    + (ID_LIMIT - 1) + "; choose a lower host id");
        }
        return merged;
    }
}
