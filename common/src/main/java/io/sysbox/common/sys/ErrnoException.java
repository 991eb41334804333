package io.sysbox.common.sys;

import java.io.IOException;

/** A failed system call: which call, on what, and the kernel's errno. */
public final class ErrnoException extends IOException {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11,
            EACCES = 13, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSYS = 38, ENOTEMPTY = 39;

    private final int errno;

    public ErrnoException(String call, String subject, int errno) {
        super(call + (subject == null || subject.isEmpty() ? "" : " " + subject) + ": " + Native.strerror(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
