package io.sysbox.fs.fuse;

/**
 * A SETATTR request: which attributes the caller changes (chmod, chown, truncate, utimes) and
 * their new values. Only the values whose flag is set are meaningful.
 */
public record AttributeChange(int valid, int mode, int uid, int gid, long size) {
    public boolean changesMode() {
        return (valid & FuseProtocol.FATTR_MODE) != 0;
    }

    public boolean changesOwner() {
        return (valid & (FuseProtocol.FATTR_UID | FuseProtocol.FATTR_GID)) != 0;
    }

    public boolean changesSize() {
        return (valid & FuseProtocol.FATTR_SIZE) != 0;
    }
}
