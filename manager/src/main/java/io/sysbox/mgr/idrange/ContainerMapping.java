package io.sysbox.mgr.idrange;

/** A container's user and group mappings; both map container id 0 to the range's host id. */
public record ContainerMapping(IdRange uid, IdRange gid) {
    @Override
    public String toString() {
        return "uid " + uid + ", gid " + gid;
    }
}
