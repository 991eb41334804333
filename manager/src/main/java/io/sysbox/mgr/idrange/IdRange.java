package io.sysbox.mgr.idrange;

/** Container ids 0..size-1 seen on the host as hostId..hostId+size-1. */
public record IdRange(long hostId, long size) {
    public IdRange {
        if (hostId < 0 || size <= 0) throw new IllegalArgumentException("bad id range " + hostId + "+" + size);
    }

    /** First host id after the range. */
    public long end() {
        return hostId + size;
    }

    public boolean contains(long id) {
        return id >= hostId && id < end();
    }

    public boolean overlaps(long start, long end) {
        return hostId < end && start < end();
    }

    @Override
    public String toString() {
        return "0:" + hostId + ":" + size;
    }
}
