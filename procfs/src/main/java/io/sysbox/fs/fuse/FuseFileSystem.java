package io.sysbox.fs.fuse;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a FUSE server serves, one method per request the session understands. Node ids are the
 * file system's own (1 is the root); handles are what {@link #open}/{@link #openDirectory}
 * returned. Every method may be called from several serving threads at once. A failure is a
 * {@link FuseException} whose errno becomes the reply; any other exception becomes EIO.
 */
public interface FuseFileSystem {
    Entry lookup(Caller caller, long parent, String name) throws FuseException;

    /**
     * The kernel dropped {@code lookups} references to a node. File systems whose node ids stay
     * valid for the mount's lifetime need not count them.
     */
    default void forget(long nodeId, long lookups) {}

    Attributes getAttributes(Caller caller, long nodeId) throws FuseException;

    Attributes setAttributes(Caller caller, long nodeId, AttributeChange change) throws FuseException;

    /** The target of a symbolic link, as readlink(2) returns it (not NUL-terminated). */
    default byte[] readLink(Caller caller, long nodeId) throws FuseException {
        throw new FuseException(Errno.EINVAL, "not a symbolic link");
    }

    /** {@code flags} are open(2)'s flags (O_ACCMODE, O_TRUNC...). */
    Opened open(Caller caller, long nodeId, int flags) throws FuseException;

    /**
     * At most {@code size} bytes from {@code offset}; an empty buffer is end of file. {@code kind}
     * says whether the bytes go to the caller or into the kernel's page cache of the inode.
     */
    ByteBuffer read(Caller caller, long nodeId, long handle, long offset, int size, ReadKind kind) throws FuseException;

    /** Returns how many bytes of {@code data} were taken. */
    int write(Caller caller, long nodeId, long handle, long offset, ByteBuffer data) throws FuseException;

    void release(long nodeId, long handle);

    Opened openDirectory(Caller caller, long nodeId, int flags) throws FuseException;

    /**
     * The directory's entries from position {@code offset} on ("." and ".." included): the
     * session sends as many as fit and asks again from where it stopped.
     */
    List<DirectoryEntry> readDirectory(Caller caller, long nodeId, long handle, long offset) throws FuseException;

    void releaseDirectory(long nodeId, long handle);

    /** access(2) with {@code mask} R_OK/W_OK/X_OK; not sent when the kernel checks permissions itself. */
    void access(Caller caller, long nodeId, int mask) throws FuseException;
}
