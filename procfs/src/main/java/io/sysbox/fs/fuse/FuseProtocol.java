package io.sysbox.fs.fuse;

/**
 * The FUSE kernel protocol, version 7.38, as linux/fuse.h defines it: opcodes, flags, and the
 * byte sizes and field offsets of the structures this server reads and writes (x86-64 and
 * every other Linux ABI: the header pads every structure to 64 bits).
 */
final class FuseProtocol {
    static final int KERNEL_VERSION = 7;
    static final int KERNEL_MINOR_VERSION = 38;
    /** max_pages appeared in 7.28; older kernels would cap requests at 128 KiB. */
    static final int OLDEST_MINOR_SUPPORTED = 28;
    static final long ROOT_ID = 1;

    // enum fuse_opcode
    static final int LOOKUP = 1, FORGET = 2, GETATTR = 3, SETATTR = 4, READLINK = 5, OPEN = 14, READ = 15, WRITE = 16,
            STATFS = 17, RELEASE = 18, FLUSH = 25, INIT = 26, OPENDIR = 27, READDIR = 28, RELEASEDIR = 29,
            ACCESS = 34, INTERRUPT = 36, DESTROY = 38, BATCH_FORGET = 42;

    // enum fuse_notify_code. RESEND is 7.40 (Linux 6.9): the kernel sends again the requests a server
    // read but never answered; it needs no INIT flag, only a kernel that knows the code.
    static final int NOTIFY_INVAL_ENTRY = 3, NOTIFY_RESEND = 7;

    // INIT flags
    static final int ASYNC_READ = 1, BIG_WRITES = 1 << 5, PARALLEL_DIROPS = 1 << 18,
            MAX_PAGES = 1 << 22;

    // fuse_setattr_in.valid
    static final int FATTR_MODE = 1, FATTR_UID = 1 << 1, FATTR_GID = 1 << 2, FATTR_SIZE = 1 << 3;

    /** struct fuse_in_header: len u32, opcode u32, unique u64, nodeid u64, uid, gid, pid u32, total_extlen u16, padding u16. */
    static final int IN_HEADER_SIZE = 40;
    static final int IN_LEN = 0, IN_OPCODE = 4, IN_UNIQUE = 8, IN_NODEID = 16, IN_UID = 24, IN_GID = 28, IN_PID = 32;

    /** struct fuse_out_header: len u32, error s32, unique u64. */
    static final int OUT_HEADER_SIZE = 16;
    static final int OUT_LEN = 0, OUT_ERROR = 4, OUT_UNIQUE = 8;

    /** struct fuse_attr. */
    static final int ATTR_SIZE = 88;
    static final int ATTR_INO = 0, ATTR_SIZE_FIELD = 8, ATTR_BLOCKS = 16, ATTR_ATIME = 24, ATTR_MTIME = 32,
            ATTR_CTIME = 40, ATTR_ATIMENSEC = 48, ATTR_MTIMENSEC = 52, ATTR_CTIMENSEC = 56, ATTR_MODE = 60,
            ATTR_NLINK = 64, ATTR_UID = 68, ATTR_GID = 72, ATTR_RDEV = 76, ATTR_BLKSIZE = 80, ATTR_FLAGS = 84;

    /** struct fuse_entry_out: nodeid, generation, entry_valid, attr_valid u64; two nsec u32; fuse_attr. */
    static final int ENTRY_OUT_SIZE = 128;
    static final int ENTRY_NODEID = 0, ENTRY_GENERATION = 8, ENTRY_VALID = 16, ENTRY_ATTR_VALID = 24,
            ENTRY_VALID_NSEC = 32, ENTRY_ATTR_VALID_NSEC = 36, ENTRY_ATTR = 40;

    /** struct fuse_attr_out: attr_valid u64, attr_valid_nsec u32, dummy u32, fuse_attr. */
    static final int ATTR_OUT_SIZE = 104;
    static final int ATTR_OUT_VALID = 0, ATTR_OUT_VALID_NSEC = 8, ATTR_OUT_ATTR = 16;

    /** struct fuse_setattr_in. */
    static final int SETATTR_IN_SIZE = 88;
    static final int SETATTR_VALID = 0, SETATTR_FH = 8, SETATTR_SIZE = 16, SETATTR_ATIME = 32, SETATTR_MTIME = 40,
            SETATTR_MODE = 68, SETATTR_UID = 76, SETATTR_GID = 80;

    /** struct fuse_open_in: flags u32, open_flags u32. */
    static final int OPEN_IN_FLAGS = 0;
    /** struct fuse_open_out: fh u64, open_flags u32, padding u32. */
    static final int OPEN_OUT_SIZE = 16;
    static final int OPEN_OUT_FH = 0, OPEN_OUT_FLAGS = 8;

    /** struct fuse_read_in and fuse_write_in share: fh u64, offset u64, size u32, flags u32, lock_owner u64, flags u32, padding. */
    static final int IO_IN_SIZE = 40;
    static final int IO_FH = 0, IO_OFFSET = 8, IO_SIZE = 16, READ_IN_READ_FLAGS = 20;

    /**
     * fuse_read_in.read_flags: the kernel names the lock owner (the caller's files) on every
     * read it makes for a caller's buffer (fuse_direct_io), never on one that fills its page
     * cache (fuse_read_folio, fuse_readahead).
     */
    static final int READ_LOCKOWNER = 1 << 1;

    /** struct fuse_write_out: size u32, padding u32. */
    static final int WRITE_OUT_SIZE = 8;

    /** struct fuse_release_in: fh u64, flags u32, release_flags u32, lock_owner u64. */
    static final int RELEASE_FH = 0;

    /** struct fuse_access_in: mask u32, padding u32. */
    static final int ACCESS_MASK = 0;

    /** struct fuse_batch_forget_in: count u32, dummy u32. */
    static final int BATCH_FORGET_COUNT = 0;

    /** struct fuse_init_in: major, minor, max_readahead, flags, flags2 u32, unused[11]. */
    static final int INIT_IN_MAJOR = 0, INIT_IN_MINOR = 4, INIT_IN_MAX_READAHEAD = 8, INIT_IN_FLAGS = 12;
    /** struct fuse_init_out. */
    static final int INIT_OUT_SIZE = 64;
    static final int INIT_OUT_MAJOR = 0, INIT_OUT_MINOR = 4, INIT_OUT_MAX_READAHEAD = 8, INIT_OUT_FLAGS = 12,
            INIT_OUT_MAX_BACKGROUND = 16, INIT_OUT_CONGESTION_THRESHOLD = 18, INIT_OUT_MAX_WRITE = 20,
            INIT_OUT_TIME_GRAN = 24, INIT_OUT_MAX_PAGES = 28;

    /** struct fuse_statfs_out (struct fuse_kstatfs). */
    static final int STATFS_OUT_SIZE = 80;
    static final int STATFS_BLOCKS = 0, STATFS_BFREE = 8, STATFS_BAVAIL = 16, STATFS_FILES = 24, STATFS_FFREE = 32,
            STATFS_BSIZE = 40, STATFS_NAMELEN = 44, STATFS_FRSIZE = 48;

    /** struct fuse_dirent: ino u64, off u64, namelen u32, type u32, name (padded to 8 bytes). */
    static final int DIRENT_NAME = 24;
    static final int DIRENT_INO = 0, DIRENT_OFF = 8, DIRENT_NAMELEN = 16, DIRENT_TYPE = 20;

    /** struct fuse_notify_inval_entry_out: parent u64, namelen u32, flags u32; then the name and a NUL. */
    static final int INVAL_ENTRY_SIZE = 16;

    private FuseProtocol() {}

    static int align8(int n) {
        return (n + 7) & ~7;
    }

    static String opcodeName(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "LOOKUP";
            case FORGET -> "FORGET";
            case GETATTR -> "GETATTR";
            case SETATTR -> "SETATTR";
            case READLINK -> "READLINK";
            case OPEN -> "OPEN";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case STATFS -> "STATFS";
            case RELEASE -> "RELEASE";
            case FLUSH -> "FLUSH";
            case INIT -> "INIT";
            case OPENDIR -> "OPENDIR";
            case READDIR -> "READDIR";
            case RELEASEDIR -> "RELEASEDIR";
            case ACCESS -> "ACCESS";
            case INTERRUPT -> "INTERRUPT";
            case DESTROY -> "DESTROY";
            case BATCH_FORGET -> "BATCH_FORGET";
            default -> "opcode " + opcode;
        };
    }
}
