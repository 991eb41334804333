package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * The listener side of seccomp user notification (seccomp_unotify(2)): a descriptor the engine
 * made with SECCOMP_FILTER_FLAG_NEW_LISTENER and handed over, on which the calls a filter marks
 * SCMP_ACT_NOTIFY wait for an answer. One instance per descriptor; it owns and closes it.
 */
public final class SeccompNotify implements AutoCloseable {
    /** _IOWR('!', 0, struct seccomp_notif): 80 bytes. */
    private static final long IOCTL_NOTIF_RECV = 0xc0502100L;
    /** _IOWR('!', 1, struct seccomp_notif_resp): 24 bytes. */
    private static final long IOCTL_NOTIF_SEND = 0xc0182101L;
    /** _IOW('!', 2, __u64). */
    private static final long IOCTL_NOTIF_ID_VALID = 0x40082102L;
    /** The kernel lets the call proceed as if no filter had stopped it. */
    private static final int FLAG_CONTINUE = 1;
    private static final int NOTIF_SIZE = 80, RESP_SIZE = 24;
    private static final MethodHandle IOCTL = Native.variadicErrnoFunction("ioctl",
            FunctionDescriptor.of(INT, INT, LONG, PTR), 2);

    /**
     * One stopped call: its cookie, the calling thread's pid (in the listener's pid namespace),
     * the syscall number and its six raw arguments.
     */
    public record Notification(long id, int pid, int syscall, int arch, long[] args) {
        public Notification {
            args = args.clone();
        }

        @Override
        public long[] args() {
            return args.clone();
        }

        public long arg(int i) {
            return args[i];
        }
    }

    /** What waiting for the next notification found. */
    public enum Readiness { NOTIFICATION, NO_MORE_USERS, TIMEOUT }

    private final int fd;
    private boolean closed;

    public SeccompNotify(int fd) {
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /**
     * Waits up to timeoutMillis for a notification. NO_MORE_USERS once every process the filter
     * was attached to has exited (the kernel's POLLHUP): the session is over.
     */
    public Readiness await(int timeoutMillis) throws ErrnoException {
        short revents = Poll.once(fd, Poll.POLLIN, timeoutMillis, "seccomp listener " + fd);
        if ((revents & Poll.POLLIN) != 0) return Readiness.NOTIFICATION;
        return (revents & Poll.POLLHUP) != 0 ? Readiness.NO_MORE_USERS : Readiness.TIMEOUT;
    }

    /**
     * The next notification. ENOENT: the caller was interrupted or killed between the poll and
     * this call (the kernel withdrew it); the caller of this method tries again.
     */
    public Notification receive() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // The kernel refuses (EINVAL) a struct that is not zeroed; allocate() zeroes it.
            MemorySegment notif = arena.allocate(NOTIF_SIZE, 8);
            ioctl(arena, IOCTL_NOTIF_RECV, notif, "SECCOMP_IOCTL_NOTIF_RECV");
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) args[i] = notif.get(LONG, 32 + 8L * i);
            // struct seccomp_notif { u64 id; u32 pid; u32 flags; struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; } }
            return new Notification(notif.get(LONG, 0), notif.get(INT, 8), notif.get(INT, 16), notif.get(INT, 20), args);
        }
    }

    /** Whether the notification is still pending: its caller has not died or been interrupted, and no one answered it. */
    public boolean stillValid(long id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cookie = arena.allocate(LONG);
            cookie.set(LONG, 0, id);
            ioctl(arena, IOCTL_NOTIF_ID_VALID, cookie, "SECCOMP_IOCTL_NOTIF_ID_VALID");
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Lets the call go on to the kernel, which decides as if no filter had stopped it. */
    public void proceed(long id) throws ErrnoException {
        respond(id, 0, 0, FLAG_CONTINUE);
    }

    /** The call returns -1 with ERRNO (positive), without reaching the kernel. */
    public void fail(long id, int errno) throws ErrnoException {
        respond(id, 0, -errno, 0);
    }

    /** The call returns VALUE: what sysbox-fs did on its behalf succeeded. */
    public void succeed(long id, long value) throws ErrnoException {
        respond(id, value, 0, 0);
    }

    private void respond(long id, long value, int error, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct seccomp_notif_resp { u64 id; s64 val; s32 error; u32 flags; }
            MemorySegment resp = arena.allocate(RESP_SIZE, 8);
            resp.set(LONG, 0, id);
            resp.set(LONG, 8, value);
            resp.set(INT, 16, error);
            resp.set(INT, 20, flags);
            ioctl(arena, IOCTL_NOTIF_SEND, resp, "SECCOMP_IOCTL_NOTIF_SEND");
        }
    }

    private void ioctl(Arena arena, long request, MemorySegment argument, String what) throws ErrnoException {
        try {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) IOCTL.invokeExact(err, fd, request, argument);
            if (rc < 0) throw new ErrnoException(what, "seccomp listener " + fd, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        MountApi.close(fd);
    }
}
