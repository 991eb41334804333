package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/** poll(2) on one descriptor: the waiting that pidfds and seccomp listeners share. */
final class Poll {
    static final short POLLIN = 1, POLLHUP = 0x10;
    private static final MethodHandle POLL = Native.errnoFunction("poll", FunctionDescriptor.of(INT, PTR, LONG, INT));

    private Poll() {}

    /** Waits up to timeoutMillis (-1: forever) for EVENTS on FD; the revents, 0 on timeout or EINTR. */
    static short once(int fd, short events, int timeoutMillis, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4); // struct pollfd { int fd; short events, revents; }
            pfd.set(INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, events);
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) POLL.invokeExact(err, pfd, 1L, timeoutMillis);
            if (rc < 0) {
                int errno = Native.errno(err);
                if (errno == ErrnoException.EINTR) return 0;
                throw new ErrnoException("poll", what, errno);
            }
            return rc == 0 ? 0 : pfd.get(ValueLayout.JAVA_SHORT, 6);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
