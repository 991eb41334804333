package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/** Process file descriptors: a handle on a process that cannot be confused by pid reuse. */
public final class PidFd implements AutoCloseable {
    private static final short POLLIN = 1;
    private static final MethodHandle PIDFD_OPEN = Native.errnoSyscall("pidfd_open", 434,
            FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle POLL = Native.errnoFunction("poll",
            FunctionDescriptor.of(INT, PTR, LONG, INT));

    private final int fd;
    private final int pid;

    private PidFd(int fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    public static PidFd open(int pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) PIDFD_OPEN.invokeExact(err, pid, 0);
            if (fd < 0) throw new ErrnoException("pidfd_open", Integer.toString(pid), Native.errno(err));
            return new PidFd(fd, pid);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public int pid() {
        return pid;
    }

    /** Waits up to timeoutMillis (-1: forever) for the process to exit; true once it has. */
    public boolean awaitExit(int timeoutMillis) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfd = arena.allocate(8, 4); // struct pollfd { int fd; short events, revents; }
            pfd.set(INT, 0, fd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) POLL.invokeExact(err, pfd, 1L, timeoutMillis);
            if (rc < 0) {
                int errno = Native.errno(err);
                if (errno == ErrnoException.EINTR) return false;
                throw new ErrnoException("poll", "pidfd " + pid, errno);
            }
            return rc > 0;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        MountApi.close(fd);
    }
}
