package io.sysbox.mgr.service;

import io.sysbox.common.proto.IdMapping;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Mappings a spec brings (Docker userns-remap, CRI userns) and the checks they must pass
 * before the manager honours them (SPEC §3): contiguous, starting at container id 0, at
 * least 65536 ids, the same host id for users and groups, and never host id 0.
 */
final class HonouredMappings {
    static final long MINIMUM_SIZE = 65536;

    private HonouredMappings() {}

    /** The single range the mappings describe; empty when the request has none (allocate one). */
    static Optional<ContainerMapping> of(String id, List<IdMapping> uids, List<IdMapping> gids)
            throws InvalidRequestException {
        if (uids.isEmpty() && gids.isEmpty()) return Optional.empty();
        if (uids.isEmpty() || gids.isEmpty()) {
            throw new InvalidRequestException("container " + id + " has " + (uids.isEmpty() ? "gid" : "uid")
                    + " mappings but no " + (uids.isEmpty() ? "uid" : "gid")
                    + " mappings; give both (or neither, to get a range from sysbox)");
        }
        IdRange uid = merge(id, "uid", uids);
        IdRange gid = merge(id, "gid", gids);
        if (uid.hostId() != gid.hostId()) {
            throw new InvalidRequestException("container " + id + " maps uid 0 to host uid " + uid.hostId()
                    + " but gid 0 to host gid " + gid.hostId() + "; sysbox requires the same host id for both");
        }
        return Optional.of(new ContainerMapping(uid, gid));
    }

    private static IdRange merge(String id, String kind, List<IdMapping> mappings) throws InvalidRequestException {
        List<IdMapping> sorted = new ArrayList<>(mappings);
        sorted.sort(Comparator.comparingLong(m -> Integer.toUnsignedLong(m.getContainerId())));
        IdMapping first = sorted.getFirst();
        if (first.getContainerId() != 0) {
            throw new InvalidRequestException("container " + id + "'s " + kind + " mappings start at container id "
                    + Integer.toUnsignedLong(first.getContainerId()) + "; they must start at 0");
        }
        long host = Integer.toUnsignedLong(first.getHostId());
        long size = 0;
        for (IdMapping m : sorted) {
            long containerId = Integer.toUnsignedLong(m.getContainerId());
            long hostId = Integer.toUnsignedLong(m.getHostId());
            if (containerId != size || hostId != host + size) {
                throw new InvalidRequestException("container " + id + "'s " + kind + " mappings are not contiguous at "
                        + kind + " " + containerId + " -> " + hostId + "; sysbox needs one contiguous range");
            }
            size += Integer.toUnsignedLong(m.getSize());
        }
        if (host == 0) {
            throw new InvalidRequestException("container " + id + " maps " + kind + " 0 to host " + kind
                    + " 0; a system container's root must never be the host's root");
        }
        if (size < MINIMUM_SIZE) {
            throw new InvalidRequestException("container " + id + "'s " + kind + " mappings cover " + size
                    + " ids; at least " + MINIMUM_SIZE + " are needed");
        }
        if (host + size > 0xFFFF_FFFFL) {
            throw new InvalidRequestException("container " + id + "'s " + kind + " mappings go past the last host id");
        }
        return new IdRange(host, size);
    }
}
