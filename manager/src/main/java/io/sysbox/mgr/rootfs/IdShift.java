package io.sysbox.mgr.rootfs;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

/**
 * Moves on-disk owners between a container's ids as seen inside (0..size-1) and as seen on
 * the host (H..H+size-1). Ids outside the source span are left as they are, so applying a
 * shift twice changes nothing the second time: a walk interrupted by a crash can simply run
 * again. That needs the two spans to be disjoint, which {@link #toHost} checks.
 */
public record IdShift(Span uids, Span gids) {
    /** Ids from..from+count-1 become to..to+count-1. */
    public record Span(long from, long to, long count) {
        public Span {
            if (count <= 0 || from < 0 || to < 0) throw new IllegalArgumentException("bad id span " + from + "->" + to + "+" + count);
            if (from < to + count && to < from + count) {
                throw new IllegalArgumentException("id span " + from + "->" + to + "+" + count + " overlaps itself");
            }
        }

        public boolean moves(long id) {
            return id >= from && id < from + count;
        }

        /** Where id goes: moved when it is in the source span, unchanged otherwise. */
        public long apply(long id) {
            return moves(id) ? id - from + to : id;
        }

        Span inverse() {
            return new Span(to, from, count);
        }
    }

    /** Container-owned files (0..size-1 on disk) to the container's host ids. */
    public static IdShift toHost(ContainerMapping mapping) throws OverlayRootfsException {
        return new IdShift(span("uid", mapping.uid()), span("gid", mapping.gid()));
    }

    public IdShift inverse() {
        return new IdShift(uids.inverse(), gids.inverse());
    }

    private static Span span(String kind, IdRange range) throws OverlayRootfsException {
        if (range.hostId() < range.size()) {
            throw new OverlayRootfsException("the container's " + kind + " mapping " + range + " overlaps host " + kind
                    + "s 0.." + (range.size() - 1) + ", so the upper layer of its overlay rootfs cannot be shifted"
                    + " reversibly; give sysbox a subordinate id range that starts at " + range.size() + " or above");
        }
        return new Span(0, range.hostId(), range.size());
    }
}
