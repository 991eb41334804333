package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * The kernel's FUSE device, /dev/fuse: a file system server opens it, passes the descriptor
 * to mount(2) as {@code fd=N}, then reads one request per read(2) and answers each with one
 * write(2). No libfuse: the protocol is spoken by the caller (see linux/fuse.h).
 */
public final class FuseDevice {
    public static final String PATH = "/dev/fuse";

    private static final MethodHandle READ = Native.errnoFunction("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle WRITE = Native.errnoFunction("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));

    private FuseDevice() {}

    /** Opens /dev/fuse for one mount; the descriptor is what mount(2)'s {@code fd=} option names. */
    public static int open() throws ErrnoException {
        return FileDescriptors.open(PATH, FileDescriptors.O_RDWR | FileDescriptors.O_CLOEXEC);
    }

    public static void close(int fd) {
        FileDescriptors.close(fd);
    }

    /**
     * One thread's reads and writes on the device. It owns its errno slot so that the request
     * loop allocates nothing per request; it is not thread-safe: make one per serving thread.
     */
    public static final class Transfer {
        private final MemorySegment errno;

        public Transfer(Arena arena) {
            this.errno = Native.captureSegment(arena);
        }

        /** Blocks until the kernel hands this thread a request; returns its length. */
        public int read(int fd, MemorySegment buffer) throws ErrnoException {
            long n;
            try {
                n = (long) READ.invokeExact(errno, fd, buffer, buffer.byteSize());
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (n < 0) throw new ErrnoException("read", PATH, Native.errno(errno));
            return (int) n;
        }

        /** Sends one reply or notification: the kernel takes a message only whole, in one write. */
        public void write(int fd, MemorySegment buffer, long length) throws ErrnoException {
            long n;
            try {
                n = (long) WRITE.invokeExact(errno, fd, buffer, length);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            if (n < 0) throw new ErrnoException("write", PATH, Native.errno(errno));
        }
    }
}
