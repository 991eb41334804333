package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;

/**
 * setns(2) for the calling thread. Only the namespaces a thread of a multi-threaded process may
 * join on its own (network, uts, ipc): the kernel refuses user and mount namespaces to a process
 * with threads, which every JVM is. The caller must run on a platform thread it owns (a virtual
 * thread may change carrier between two calls) and join back before the thread does anything else.
 */
public final class Namespaces {
    public static final int CLONE_NEWNET = 0x40000000;
    /** ioctl_ns(2): a new descriptor of the user namespace that owns a namespace. */
    private static final long NS_GET_USERNS = 0xb701;
    private static final MethodHandle SETNS = Native.errnoFunction("setns", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle IOCTL = Native.variadicErrnoFunction("ioctl",
            FunctionDescriptor.of(INT, INT, Native.LONG, Native.LONG), 2);

    private Namespaces() {}

    public static void join(int nsFd, int nsType, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) SETNS.invokeExact(err, nsFd, nsType);
            if (rc < 0) throw new ErrnoException("setns", what, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** A new descriptor (close it) of the user namespace owning the namespace open at NS_FD. */
    public static int openOwner(int nsFd, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) IOCTL.invokeExact(err, nsFd, NS_GET_USERNS, 0L);
            if (fd < 0) throw new ErrnoException("ioctl(NS_GET_USERNS)", what, Native.errno(err));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
