package io.sysbox.fs.fuse;

/** The Linux errno values a FUSE server answers with (asm-generic/errno-base.h, errno.h). */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, EACCES = 13,
            ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, EPROTO = 71;

    private Errno() {}
}
