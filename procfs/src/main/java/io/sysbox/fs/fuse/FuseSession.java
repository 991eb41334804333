package io.sysbox.fs.fuse;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FuseDevice;
import org.apache.logging.log4j.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.sysbox.fs.fuse.FuseProtocol.*;

/**
 * The request loop of one FUSE connection: serving threads each read a request from
 * /dev/fuse (the kernel hands every request to exactly one reader), dispatch it to the
 * {@link FuseFileSystem}, and answer it with one write. Platform threads, because each blocks
 * in read(2) inside native code, where a virtual thread would pin its carrier anyway.
 */
public final class FuseSession {
    /** Largest WRITE payload and READ reply: 256 pages, negotiated at INIT (max_pages, max_write). */
    public static final int MAX_TRANSFER = 1 << 20;
    private static final int MAX_PAGES_VALUE = MAX_TRANSFER / 4096;
    /** The kernel refuses reads into buffers smaller than header + fuse_write_in + max_write. */
    private static final int REQUEST_BUFFER = MAX_TRANSFER + 4096;
    private static final int REPLY_BUFFER = MAX_TRANSFER + OUT_HEADER_SIZE;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;

    private final int fd;
    private final FuseFileSystem fs;
    private final long cacheSeconds;
    private final int cacheNanos;
    private final Logger log;
    private final List<Thread> threads = new ArrayList<>();
    private CountDownLatch stopped = new CountDownLatch(0);
    /** Guarded by this: once closed, the descriptor number may belong to another file, so nothing writes to it. */
    private boolean deviceClosed;
    /** What INIT settled; set by the thread that answers INIT, or given when resuming. */
    private volatile Negotiated negotiated;
    private final CountDownLatch initialized = new CountDownLatch(1);

    public FuseSession(int fd, FuseFileSystem fs, Duration cacheTimeout, Logger log) {
        this.fd = fd;
        this.fs = fs;
        this.cacheSeconds = cacheTimeout.getSeconds();
        this.cacheNanos = cacheTimeout.getNano();
        this.log = log;
    }

    /** Starts {@code count} serving threads; they end when the connection goes away (unmount, abort). */
    public synchronized void start(int count, String namePrefix) {
        if (!threads.isEmpty()) throw new IllegalStateException("the session is already serving");
        if (count < 1) throw new IllegalArgumentException("a FUSE session needs at least one serving thread, not " + count);
        stopped = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            // Daemon threads: a connection kept alive by files still open elsewhere must not keep the JVM up.
            Thread t = Thread.ofPlatform().daemon().name(namePrefix + i).unstarted(this::serve);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Waits until every serving thread has ended. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Tells the kernel that {@code name} under {@code parent} may have changed, so a cached
     * dentry is not served any longer. Must not be called from a serving thread while it handles
     * a request about that directory (the kernel would wait on itself).
     */
    public synchronized void invalidateEntry(long parent, String name) throws ErrnoException {
        if (deviceClosed) return; // unmounted: the kernel caches nothing of this file system any more
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int length = OUT_HEADER_SIZE + INVAL_ENTRY_SIZE + bytes.length + 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(length, 8);
            out.set(U32, OUT_LEN, length);
            out.set(U32, OUT_ERROR, NOTIFY_INVAL_ENTRY);
            out.set(U64, OUT_UNIQUE, 0L);
            out.set(U64, OUT_HEADER_SIZE, parent);
            out.set(U32, OUT_HEADER_SIZE + 8, bytes.length);
            out.set(U32, OUT_HEADER_SIZE + 12, 0);
            MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, OUT_HEADER_SIZE + INVAL_ENTRY_SIZE, bytes.length);
            out.set(ValueLayout.JAVA_BYTE, length - 1, (byte) 0);
            new FuseDevice.Transfer(arena).write(fd, out, length);
        }
    }

    /**
     * A session on a connection another process initialized and served (a sysbox-fs killed
     * since): the kernel sends no INIT again, so what it settled is given.
     */
    public static FuseSession resumed(int fd, FuseFileSystem fs, Duration cacheTimeout, Negotiated negotiated, Logger log) {
        FuseSession session = new FuseSession(fd, fs, cacheTimeout, log);
        session.negotiated = negotiated;
        session.initialized.countDown();
        return session;
    }

    /** The /dev/fuse descriptor: whoever holds another reference to it keeps the connection alive. */
    public int deviceFd() {
        return fd;
    }

    /** What INIT settled, once it has been answered (or the session resumed); waits up to {@code timeout}. */
    public Optional<Negotiated> awaitNegotiated(Duration timeout) throws InterruptedException {
        initialized.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return Optional.ofNullable(negotiated);
    }

    /**
     * Asks the kernel to queue again every request a reader of this connection took and never
     * answered (FUSE_NOTIFY_RESEND): those a killed sysbox-fs had read wait for an answer that
     * would otherwise never come. Resent requests carry the FUSE_UNIQUE_RESEND bit in their
     * unique id, which answers echo like any id. Refused with EINVAL by kernels before 6.9.
     */
    public synchronized void requestResend() throws ErrnoException {
        if (deviceClosed) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(OUT_HEADER_SIZE, 8);
            out.set(U32, OUT_LEN, OUT_HEADER_SIZE);
            out.set(U32, OUT_ERROR, NOTIFY_RESEND);
            out.set(U64, OUT_UNIQUE, 0L);
            new FuseDevice.Transfer(arena).write(fd, out, OUT_HEADER_SIZE);
        }
    }

    /** Closes /dev/fuse; call only once no serving thread reads it any more. */
    synchronized void closeDevice() {
        if (deviceClosed) return;
        deviceClosed = true;
        FuseDevice.close(fd);
    }

    private void serve() {
        try (Arena arena = Arena.ofConfined()) {
            Worker worker = new Worker(arena);
            worker.loop();
        } catch (RuntimeException | Error e) {
            log.error("FUSE serving thread {} failed: {}", Thread.currentThread().getName(), e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }

    /** One serving thread's buffers and loop. */
    private final class Worker {
        private final MemorySegment in;
        private final MemorySegment out;
        private final FuseDevice.Transfer io;
        private final boolean debug = log.isDebugEnabled();

        Worker(Arena arena) {
            in = arena.allocate(REQUEST_BUFFER, 8);
            out = arena.allocate(REPLY_BUFFER, 8);
            io = new FuseDevice.Transfer(arena);
        }

        void loop() {
            while (true) {
                int length;
                try {
                    length = io.read(fd, in);
                } catch (ErrnoException e) {
                    switch (e.errno()) {
                        // ENOENT: the request was interrupted before this thread got it.
                        case Errno.ENOENT, Errno.EINTR, Errno.EAGAIN -> {
                            continue;
                        }
                        case Errno.ENODEV -> {
                            return; // unmounted or aborted: the connection is gone
                        }
                        default -> {
                            log.error("reading FUSE requests failed, this thread stops serving: {}", e.getMessage());
                            return;
                        }
                    }
                }
                if (length < IN_HEADER_SIZE || in.get(U32, IN_LEN) != length) {
                    log.error("the kernel sent a malformed FUSE request ({} bytes, header says {}); ignored",
                            length, length >= 4 ? in.get(U32, IN_LEN) : -1);
                    continue;
                }
                handle(length);
            }
        }

        private void handle(int length) {
            int opcode = in.get(U32, IN_OPCODE);
            long unique = in.get(U64, IN_UNIQUE);
            long node = in.get(U64, IN_NODEID);
            Caller caller = new Caller(in.get(U32, IN_UID), in.get(U32, IN_GID), in.get(U32, IN_PID));
            if (debug) log.debug("FUSE {} node {} from pid {}", opcodeName(opcode), node, caller.pid());
            try {
                int payload = switch (opcode) {
                    case INIT -> init();
                    case LOOKUP -> lookup(caller, node, length);
                    case FORGET -> {
                        fs.forget(node, in.get(U64, IN_HEADER_SIZE));
                        yield -1;
                    }
                    case BATCH_FORGET -> batchForget();
                    case GETATTR -> attrOut(fs.getAttributes(caller, node));
                    case SETATTR -> setattr(caller, node);
                    case READLINK -> readlink(caller, node);
                    case OPEN -> openOut(fs.open(caller, node, in.get(U32, IN_HEADER_SIZE + OPEN_IN_FLAGS)));
                    case OPENDIR -> openOut(fs.openDirectory(caller, node, in.get(U32, IN_HEADER_SIZE + OPEN_IN_FLAGS)));
                    case READ -> read(caller, node);
                    case WRITE -> write(caller, node, length);
                    case RELEASE -> {
                        fs.release(node, in.get(U64, IN_HEADER_SIZE + RELEASE_FH));
                        yield 0;
                    }
                    case RELEASEDIR -> {
                        fs.releaseDirectory(node, in.get(U64, IN_HEADER_SIZE + RELEASE_FH));
                        yield 0;
                    }
                    case READDIR -> readdir(caller, node);
                    case STATFS -> statfs();
                    case FLUSH -> 0;
                    case ACCESS -> {
                        fs.access(caller, node, in.get(U32, IN_HEADER_SIZE + ACCESS_MASK));
                        yield 0;
                    }
                    case DESTROY -> 0;
                    // Everything else, INTERRUPT included: an ENOSYS answer tells the kernel not to ask again.
                    default -> throw new FuseException(Errno.ENOSYS, "unsupported");
                };
                if (payload >= 0) reply(unique, 0, payload);
            } catch (FuseException e) {
                reply(unique, -e.errno(), 0);
            } catch (RuntimeException e) {
                log.error("FUSE {} on node {} failed: {}", opcodeName(opcode), node, e.toString(), e);
                reply(unique, -Errno.EIO, 0);
            }
        }

        /** Sends the header and {@code payload} bytes already placed after it, in one write. */
        private void reply(long unique, int error, int payload) {
            int total = OUT_HEADER_SIZE + payload;
            out.set(U32, OUT_LEN, total);
            out.set(U32, OUT_ERROR, error);
            out.set(U64, OUT_UNIQUE, unique);
            try {
                io.write(fd, out, total);
            } catch (ErrnoException e) {
                // ENOENT: the kernel gave up on the request (interrupted); nobody waits for the answer.
                if (e.errno() != Errno.ENOENT) log.warn("answering a FUSE request failed: {}", e.getMessage());
            }
        }

        private int init() throws FuseException {
            int major = in.get(U32, IN_HEADER_SIZE + INIT_IN_MAJOR);
            int minor = in.get(U32, IN_HEADER_SIZE + INIT_IN_MINOR);
            int kernelFlags = in.get(U32, IN_HEADER_SIZE + INIT_IN_FLAGS);
            if (major != KERNEL_VERSION || minor < OLDEST_MINOR_SUPPORTED) {
                log.error("the kernel speaks FUSE {}.{}; sysbox-fs needs {}.{} or later within major {}",
                        major, minor, KERNEL_VERSION, OLDEST_MINOR_SUPPORTED, KERNEL_VERSION);
                throw new FuseException(Errno.EPROTO, "unsupported FUSE protocol");
            }
            // No ATOMIC_O_TRUNC: with it the kernel sets the size to 0 itself on a truncating open
            // (`echo 3 > sysctl`), and a write refused or not yet made leaves it so; sendfile readers
            // (busybox cat) then read nothing, as they stop at the size. Without it the truncation
            // is a SETATTR, and the size is the one its answer gives.
            int wanted = ASYNC_READ | BIG_WRITES | PARALLEL_DIROPS | MAX_PAGES;
            MemorySegment o = out.asSlice(OUT_HEADER_SIZE, INIT_OUT_SIZE);
            o.fill((byte) 0);
            o.set(U32, INIT_OUT_MAJOR, KERNEL_VERSION);
            o.set(U32, INIT_OUT_MINOR, Math.min(minor, KERNEL_MINOR_VERSION));
            o.set(U32, INIT_OUT_MAX_READAHEAD, in.get(U32, IN_HEADER_SIZE + INIT_IN_MAX_READAHEAD));
            o.set(U32, INIT_OUT_FLAGS, kernelFlags & wanted);
            o.set(U16, INIT_OUT_MAX_BACKGROUND, (short) 16);
            o.set(U16, INIT_OUT_CONGESTION_THRESHOLD, (short) 12);
            o.set(U32, INIT_OUT_MAX_WRITE, MAX_TRANSFER);
            o.set(U32, INIT_OUT_TIME_GRAN, 1);
            o.set(U16, INIT_OUT_MAX_PAGES, (short) MAX_PAGES_VALUE);
            log.debug("FUSE connection initialized: kernel protocol {}.{}, flags {}", major, minor,
                    Integer.toHexString(kernelFlags & wanted));
            negotiated = new Negotiated(Math.min(minor, KERNEL_MINOR_VERSION), MAX_TRANSFER);
            initialized.countDown();
            return INIT_OUT_SIZE;
        }

        private int lookup(Caller caller, long parent, int length) throws FuseException {
            String name = in.asSlice(IN_HEADER_SIZE, length - IN_HEADER_SIZE).getString(0);
            Entry entry = fs.lookup(caller, parent, name);
            MemorySegment o = out.asSlice(OUT_HEADER_SIZE, ENTRY_OUT_SIZE);
            o.set(U64, ENTRY_NODEID, entry.nodeId());
            o.set(U64, ENTRY_GENERATION, 0L);
            o.set(U64, ENTRY_VALID, cacheSeconds);
            o.set(U64, ENTRY_ATTR_VALID, cacheSeconds);
            o.set(U32, ENTRY_VALID_NSEC, cacheNanos);
            o.set(U32, ENTRY_ATTR_VALID_NSEC, cacheNanos);
            putAttributes(o, ENTRY_ATTR, entry.attributes());
            return ENTRY_OUT_SIZE;
        }

        private int batchForget() {
            int count = in.get(U32, IN_HEADER_SIZE + BATCH_FORGET_COUNT);
            long base = IN_HEADER_SIZE + 8;
            for (int i = 0; i < count; i++) {
                long at = base + 16L * i;
                fs.forget(in.get(U64, at), in.get(U64, at + 8));
            }
            return -1; // FORGET and BATCH_FORGET are never answered
        }

        private int attrOut(Attributes attributes) {
            MemorySegment o = out.asSlice(OUT_HEADER_SIZE, ATTR_OUT_SIZE);
            o.set(U64, ATTR_OUT_VALID, cacheSeconds);
            o.set(U32, ATTR_OUT_VALID_NSEC, cacheNanos);
            o.set(U32, ATTR_OUT_VALID_NSEC + 4, 0);
            putAttributes(o, ATTR_OUT_ATTR, attributes);
            return ATTR_OUT_SIZE;
        }

        private int setattr(Caller caller, long node) throws FuseException {
            long at = IN_HEADER_SIZE;
            AttributeChange change = new AttributeChange(in.get(U32, at + SETATTR_VALID), in.get(U32, at + SETATTR_MODE),
                    in.get(U32, at + SETATTR_UID), in.get(U32, at + SETATTR_GID), in.get(U64, at + SETATTR_SIZE));
            return attrOut(fs.setAttributes(caller, node, change));
        }

        private int openOut(Opened opened) {
            out.set(U64, OUT_HEADER_SIZE + OPEN_OUT_FH, opened.handle());
            out.set(U32, OUT_HEADER_SIZE + OPEN_OUT_FLAGS, opened.flags());
            out.set(U32, OUT_HEADER_SIZE + OPEN_OUT_FLAGS + 4, 0);
            return OPEN_OUT_SIZE;
        }

        private int read(Caller caller, long node) throws FuseException {
            long fh = in.get(U64, IN_HEADER_SIZE + IO_FH);
            long offset = in.get(U64, IN_HEADER_SIZE + IO_OFFSET);
            int size = Math.min(in.get(U32, IN_HEADER_SIZE + IO_SIZE), MAX_TRANSFER);
            ReadKind kind = (in.get(U32, IN_HEADER_SIZE + READ_IN_READ_FLAGS) & READ_LOCKOWNER) != 0
                    ? ReadKind.CALLER : ReadKind.PAGE_CACHE;
            ByteBuffer data = fs.read(caller, node, fh, offset, size, kind);
            int n = Math.min(data.remaining(), size);
            MemorySegment.copy(MemorySegment.ofBuffer(data), 0, out, OUT_HEADER_SIZE, n);
            return n;
        }

        private int readlink(Caller caller, long node) throws FuseException {
            byte[] target = fs.readLink(caller, node);
            if (target.length > MAX_TRANSFER) throw new FuseException(Errno.ENAMETOOLONG, "symbolic link target too long");
            MemorySegment.copy(target, 0, out, ValueLayout.JAVA_BYTE, OUT_HEADER_SIZE, target.length);
            return target.length;
        }

        private int write(Caller caller, long node, int length) throws FuseException {
            long fh = in.get(U64, IN_HEADER_SIZE + IO_FH);
            long offset = in.get(U64, IN_HEADER_SIZE + IO_OFFSET);
            int size = in.get(U32, IN_HEADER_SIZE + IO_SIZE);
            int dataAt = IN_HEADER_SIZE + IO_IN_SIZE;
            if (size < 0 || dataAt + size > length) throw new FuseException(Errno.EINVAL, "short WRITE request");
            ByteBuffer data = in.asSlice(dataAt, size).asByteBuffer().asReadOnlyBuffer();
            int taken = fs.write(caller, node, fh, offset, data);
            out.set(U32, OUT_HEADER_SIZE, taken);
            out.set(U32, OUT_HEADER_SIZE + 4, 0);
            return WRITE_OUT_SIZE;
        }

        private int readdir(Caller caller, long node) throws FuseException {
            long fh = in.get(U64, IN_HEADER_SIZE + IO_FH);
            long offset = in.get(U64, IN_HEADER_SIZE + IO_OFFSET);
            int size = Math.min(in.get(U32, IN_HEADER_SIZE + IO_SIZE), MAX_TRANSFER);
            List<DirectoryEntry> entries = fs.readDirectory(caller, node, fh, offset);
            int used = 0;
            long next = offset;
            for (DirectoryEntry entry : entries) {
                byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
                int record = align8(DIRENT_NAME + name.length);
                if (used + record > size) break;
                long at = OUT_HEADER_SIZE + used;
                next++;
                out.set(U64, at + DIRENT_INO, entry.ino());
                out.set(U64, at + DIRENT_OFF, next);
                out.set(U32, at + DIRENT_NAMELEN, name.length);
                out.set(U32, at + DIRENT_TYPE, (entry.mode() >>> 12) & 017);
                MemorySegment.copy(name, 0, out, ValueLayout.JAVA_BYTE, at + DIRENT_NAME, name.length);
                out.asSlice(at + DIRENT_NAME + name.length, record - DIRENT_NAME - name.length).fill((byte) 0);
                used += record;
            }
            return used;
        }

        private int statfs() {
            MemorySegment o = out.asSlice(OUT_HEADER_SIZE, STATFS_OUT_SIZE);
            o.fill((byte) 0);
            o.set(U32, STATFS_BSIZE, 4096);
            o.set(U32, STATFS_NAMELEN, 255);
            o.set(U32, STATFS_FRSIZE, 4096);
            return STATFS_OUT_SIZE;
        }

        private void putAttributes(MemorySegment o, long at, Attributes a) {
            o.set(U64, at + ATTR_INO, a.ino());
            o.set(U64, at + ATTR_SIZE_FIELD, a.size());
            o.set(U64, at + ATTR_BLOCKS, (a.size() + 511) / 512);
            o.set(U64, at + ATTR_ATIME, a.timeSeconds());
            o.set(U64, at + ATTR_MTIME, a.timeSeconds());
            o.set(U64, at + ATTR_CTIME, a.timeSeconds());
            o.set(U32, at + ATTR_ATIMENSEC, 0);
            o.set(U32, at + ATTR_MTIMENSEC, 0);
            o.set(U32, at + ATTR_CTIMENSEC, 0);
            o.set(U32, at + ATTR_MODE, a.mode());
            o.set(U32, at + ATTR_NLINK, a.nlink());
            o.set(U32, at + ATTR_UID, a.uid());
            o.set(U32, at + ATTR_GID, a.gid());
            o.set(U32, at + ATTR_RDEV, 0);
            o.set(U32, at + ATTR_BLKSIZE, 4096);
            o.set(U32, at + ATTR_FLAGS, 0);
        }
    }
}
