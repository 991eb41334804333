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
    private static final MethodHandle PIDFD_OPEN = Native.errnoSyscall("pidfd_open", 434,
            FunctionDescriptor.of(INT, INT, INT));

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
        return Poll.once(fd, Poll.POLLIN, timeoutMillis, "pidfd " + pid) != 0;
    }

    @Override
    public void close() {
        MountApi.close(fd);
    }
}
