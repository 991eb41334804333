package io.sysbox.mgr.idrange;

/** One {@code name:start:count} line of /etc/subuid or /etc/subgid. */
public record SubidEntry(String name, long start, long count) {
    public long end() {
        return start + count;
    }

    public String line() {
        return name + ":" + start + ":" + count;
    }
}
