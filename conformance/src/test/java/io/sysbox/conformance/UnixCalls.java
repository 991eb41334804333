package io.sysbox.conformance;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc calls a console-socket receiver needs and the JDK lacks: the JDK's Unix sockets
 * cannot receive a file descriptor (SCM_RIGHTS), and a received pty master has no Java type.
 * x86_64/aarch64 Linux layouts.
 */
final class UnixCalls {
    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000, POLLIN = 0x1, EIO = 5, EINTR = 4;
    private static final int SUN_PATH_MAX = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = call("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = call("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private UnixCalls() {}

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** A failed call: what, and errno. */
    static final class CallFailed extends IOException {
        final int errno;

        CallFailed(String call, int errno) {
            super(call + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    /** A listening SOCK_STREAM Unix socket bound at PATH. */
    static int listen(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(err, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new CallFailed("socket", errno(err));
            byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (name.length >= SUN_PATH_MAX) {
                close(fd);
                throw new IOException("socket path too long (" + name.length + " bytes, max 107): " + path);
            }
            MemorySegment addr = arena.allocate(2 + SUN_PATH_MAX);
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) BIND.invokeExact(err, fd, addr, 2 + name.length + 1) < 0
                    || (int) LISTEN.invokeExact(err, fd, 1) < 0) {
                int errno = errno(err);
                close(fd);
                throw new CallFailed("bind/listen " + path, errno);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** poll(2) on one descriptor for POLLIN; true when readable (or hung up) within MILLIS. */
    static boolean awaitReadable(int fd, int millis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, (short) POLLIN);
            int n = (int) POLL.invokeExact(err, pollfd, 1L, millis);
            if (n < 0) {
                int errno = errno(err);
                if (errno == EINTR) return false;
                throw new CallFailed("poll", errno);
            }
            return n > 0;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int accept(int listenFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            int fd = (int) ACCEPT4.invokeExact(err, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (fd < 0) throw new CallFailed("accept4", errno(err));
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** recvmsg(2) of one message carrying one descriptor in an SCM_RIGHTS control message. */
    static int receiveDescriptor(int connFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            MemorySegment data = arena.allocate(4096);
            MemorySegment iov = arena.allocate(16, 8);          // struct iovec { base; len; }
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            MemorySegment control = arena.allocate(64, 8);      // room for CMSG_SPACE of a few ints
            MemorySegment msg = arena.allocate(56, 8);          // struct msghdr
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, control.byteSize());
            long n = (long) RECVMSG.invokeExact(err, connFd, msg, MSG_CMSG_CLOEXEC);
            if (n < 0) throw new CallFailed("recvmsg", errno(err));
            long controlLen = msg.get(JAVA_LONG, 40);
            if (controlLen < 20) throw new IOException("recvmsg: the message carried no descriptor (" + n + " data bytes)");
            int level = control.get(JAVA_INT, 8), type = control.get(JAVA_INT, 12);  // struct cmsghdr
            if (level != SOL_SOCKET || type != SCM_RIGHTS) {
                throw new IOException("recvmsg: control message level " + level + " type " + type + " is not SCM_RIGHTS");
            }
            return control.get(JAVA_INT, 16);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** read(2); -1 at end of input (EOF, or EIO: a pty master whose slave side closed). */
    static int read(int fd, byte[] buffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(buffer.length);
            long n = (long) READ.invokeExact(err, fd, buf, (long) buffer.length);
            if (n < 0) {
                int errno = errno(err);
                if (errno == EIO) return -1;
                throw new CallFailed("read", errno);
            }
            if (n == 0) return -1;
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, buffer, 0, (int) n);
            return (int) n;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        if (fd < 0) return;
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }
}
