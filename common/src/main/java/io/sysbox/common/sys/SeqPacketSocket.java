package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * A Unix socket of type SOCK_SEQPACKET whose messages may carry a file descriptor
 * (SCM_RIGHTS). The JDK's Unix-domain channels cannot pass descriptors, and passing one is the
 * only way to keep a kernel object (a /dev/fuse connection) alive in another process: the
 * receiver gets its own reference to the same open file. SEQPACKET keeps message boundaries,
 * so one sendmsg is one request, its descriptor attached to it and to nothing else.
 */
public final class SeqPacketSocket implements AutoCloseable {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SO_PEERCRED = 17;
    private static final int MSG_CTRUNC = 0x8, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SHUT_RDWR = 2;
    /** struct sockaddr_un: sa_family_t, then sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110, SUN_PATH_MAX = 107;
    /** struct msghdr on 64-bit Linux. */
    private static final int MSGHDR_SIZE = 56, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32,
            MSG_CONTROLLEN = 40, MSG_FLAGS = 48;
    /** struct cmsghdr: cmsg_len size_t, level int, type int, then the data (padded to 8 bytes). */
    private static final int CMSG_HEADER = 16;
    /** The most descriptors one message carries (a FUSE daemon hands its two connections together). */
    public static final int MAX_FDS = 4;

    private static final MethodHandle SOCKET = Native.errnoFunction("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = Native.errnoFunction("bind", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle LISTEN = Native.errnoFunction("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ACCEPT4 = Native.errnoFunction("accept4",
            FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle CONNECT = Native.errnoFunction("connect", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle SENDMSG = Native.errnoFunction("sendmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle RECVMSG = Native.errnoFunction("recvmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle SHUTDOWN = Native.errnoFunction("shutdown", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle GETSOCKOPT = Native.errnoFunction("getsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, PTR, PTR));

    /** One received message: its bytes and the descriptors that came with it, in order (the receiver's to close). */
    public record Message(byte[] data, int[] fds) {
        public Message {
            fds = fds.clone();
        }

        @Override
        public int[] fds() {
            return fds.clone();
        }

        /** The first descriptor, if any came. */
        public OptionalInt fd() {
            return fds.length == 0 ? OptionalInt.empty() : OptionalInt.of(fds[0]);
        }
    }

    /** Who is at the other end of a connection (SO_PEERCRED): the process that connected, as the kernel saw it. */
    public record Peer(int pid, int uid, int gid) {}

    private final int fd;
    private final String name;
    private boolean closed;

    private SeqPacketSocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** A listening socket bound at {@code path} (which must not exist). */
    public static SeqPacketSocket listen(Path path, int backlog) throws ErrnoException {
        return listen(path, backlog, SOCK_SEQPACKET);
    }

    /**
     * A listening SOCK_STREAM socket at {@code path}, for peers that only speak stream sockets
     * (runc hands its seccomp listener over one). A stream keeps no message boundaries: a
     * receiver reads until end of stream, and the descriptors arrive with the first bytes.
     */
    public static SeqPacketSocket listenStream(Path path, int backlog) throws ErrnoException {
        return listen(path, backlog, SOCK_STREAM);
    }

    private static SeqPacketSocket listen(Path path, int backlog, int type) throws ErrnoException {
        return open(path, type, (fd, address, err) -> {
            if ((int) BIND.invokeExact(err, fd, address, SOCKADDR_UN_SIZE) < 0) {
                throw new ErrnoException("bind", path.toString(), Native.errno(err));
            }
            if ((int) LISTEN.invokeExact(err, fd, backlog) < 0) {
                throw new ErrnoException("listen", path.toString(), Native.errno(err));
            }
        });
    }

    /** A connection to the socket listening at {@code path}. */
    public static SeqPacketSocket connect(Path path) throws ErrnoException {
        return open(path, SOCK_SEQPACKET, (fd, address, err) -> {
            if ((int) CONNECT.invokeExact(err, fd, address, SOCKADDR_UN_SIZE) < 0) {
                throw new ErrnoException("connect", path.toString(), Native.errno(err));
            }
        });
    }

    /** What {@link #open} does with a new socket: bind and listen, or connect. */
    @FunctionalInterface
    private interface Setup {
        void on(int fd, MemorySegment address, MemorySegment err) throws Throwable;
    }

    /** A new socket for {@code path} after {@code setup}; closed again if setup fails. */
    private static SeqPacketSocket open(Path path, int type, Setup setup) throws ErrnoException {
        int fd = newSocket(path, type);
        try (Arena arena = Arena.ofConfined()) {
            setup.on(fd, address(arena, path), Native.captureSegment(arena));
            return new SeqPacketSocket(fd, path.toString());
        } catch (ErrnoException e) {
            MountApi.close(fd);
            throw e;
        } catch (Throwable t) {
            MountApi.close(fd);
            throw Native.rethrow(t);
        }
    }

    /** Waits for the next connection; EINVAL once {@link #shutdown} was called. */
    public SeqPacketSocket accept() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int client = (int) ACCEPT4.invokeExact(err, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (client < 0) throw new ErrnoException("accept4", name, Native.errno(err));
            return new SeqPacketSocket(client, name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sends one message; with {@code passFd} the receiver gets its own reference to that open file. */
    public void send(byte[] data, OptionalInt passFd) throws ErrnoException {
        send(data, passFd.isPresent() ? new int[] {passFd.getAsInt()} : new int[0]);
    }

    /** Sends one message; the receiver gets its own reference to each of {@code passFds} (at most {@link #MAX_FDS}). */
    public void send(byte[] data, int[] passFds) throws ErrnoException {
        if (passFds.length > MAX_FDS) {
            throw new IllegalArgumentException(passFds.length + " descriptors in one message; at most " + MAX_FDS);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment msg = header(arena, buffer, data.length);
            if (passFds.length > 0) {
                MemorySegment control = arena.allocate(cmsgSpace(passFds.length), 8);
                control.set(LONG, 0, CMSG_HEADER + 4L * passFds.length);
                control.set(INT, 8, SOL_SOCKET);
                control.set(INT, 12, SCM_RIGHTS);
                for (int i = 0; i < passFds.length; i++) control.set(INT, CMSG_HEADER + 4L * i, passFds[i]);
                msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
                msg.set(LONG, MSG_CONTROLLEN, cmsgSpace(passFds.length));
            }
            MemorySegment err = Native.captureSegment(arena);
            // MSG_NOSIGNAL: a peer that went away is an EPIPE here, not a SIGPIPE killing the daemon.
            long sent = (long) SENDMSG.invokeExact(err, fd, msg, MSG_NOSIGNAL);
            if (sent < 0) throw new ErrnoException("sendmsg", name, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** CMSG_SPACE of {@code count} descriptors: the header and the data padded to 8 bytes. */
    private static long cmsgSpace(int count) {
        return CMSG_HEADER + ((4L * count + 7) & ~7L);
    }

    /**
     * Waits for one message of at most {@code maxLength} bytes. An empty message with no
     * descriptor is end of stream: the peer closed the connection.
     */
    public Message receive(int maxLength) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(maxLength);
            MemorySegment msg = header(arena, buffer, maxLength);
            MemorySegment control = arena.allocate(cmsgSpace(MAX_FDS), 8);
            msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
            msg.set(LONG, MSG_CONTROLLEN, cmsgSpace(MAX_FDS));
            MemorySegment err = Native.captureSegment(arena);
            long received = (long) RECVMSG.invokeExact(err, fd, msg, MSG_CMSG_CLOEXEC);
            if (received < 0) throw new ErrnoException("recvmsg", name, Native.errno(err));
            int[] passed = new int[0];
            long controlLength = msg.get(LONG, MSG_CONTROLLEN);
            if (controlLength >= CMSG_HEADER + 4 && control.get(INT, 8) == SOL_SOCKET
                    && control.get(INT, 12) == SCM_RIGHTS) {
                passed = new int[(int) Math.min(MAX_FDS, (control.get(LONG, 0) - CMSG_HEADER) / 4)];
                for (int i = 0; i < passed.length; i++) passed[i] = control.get(INT, CMSG_HEADER + 4L * i);
            }
            if ((msg.get(INT, MSG_FLAGS) & MSG_CTRUNC) != 0) {
                // More descriptors than MAX_FDS were sent: the kernel dropped the rest; a peer of ours never does that.
                for (int passedFd : passed) MountApi.close(passedFd);
                throw new ErrnoException("recvmsg", name + " (more than " + MAX_FDS + " descriptors in a message)",
                        ErrnoException.EINVAL);
            }
            byte[] data = Arrays.copyOf(buffer.toArray(ValueLayout.JAVA_BYTE), (int) received);
            return new Message(data, passed);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The process at the other end, as it was when it connected. */
    public Peer peer() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(12, 4); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            MemorySegment length = arena.allocate(INT);
            length.set(INT, 0, 12);
            MemorySegment err = Native.captureSegment(arena);
            if ((int) GETSOCKOPT.invokeExact(err, fd, SOL_SOCKET, SO_PEERCRED, cred, length) < 0) {
                throw new ErrnoException("getsockopt SO_PEERCRED", name, Native.errno(err));
            }
            return new Peer(cred.get(INT, 0), cred.get(INT, 4), cred.get(INT, 8));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Wakes a thread blocked in {@link #accept} or {@link #receive} (they fail, or see end of
     * stream), without closing the descriptor under it.
     */
    public void shutdown() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            // Its result is ignored: ENOTCONN on a connection already ended means nothing is left to wake.
            int ignored = (int) SHUTDOWN.invokeExact(err, fd, SHUT_RDWR);
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

    private static int newSocket(Path path, int type) throws ErrnoException {
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > SUN_PATH_MAX) {
            throw new ErrnoException("socket", path + " (longer than the 107 bytes a Unix socket path may have)",
                    36 /* ENAMETOOLONG */);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) SOCKET.invokeExact(err, AF_UNIX, type | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("socket", "AF_UNIX type " + type, Native.errno(err));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment address(Arena arena, Path path) {
        MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE, 2);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 2, bytes.length);
        return address;
    }

    /** A msghdr with one iovec over {@code buffer}. */
    private static MemorySegment header(Arena arena, MemorySegment buffer, int length) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, buffer);
        iov.set(LONG, 8, length);
        MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
        msg.set(ValueLayout.ADDRESS, MSG_IOV, iov);
        msg.set(LONG, MSG_IOVLEN, 1);
        return msg;
    }
}
