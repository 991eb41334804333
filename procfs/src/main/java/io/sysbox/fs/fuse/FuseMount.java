package io.sysbox.fs.fuse;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FuseDevice;
import io.sysbox.common.sys.MountApi;
import org.apache.logging.log4j.Logger;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A FUSE file system mounted at a directory and served: /dev/fuse opened, mount(2) of type
 * {@code fuse} with that descriptor, a {@link FuseSession} answering the kernel. Closing it
 * detaches the mount and waits for the serving threads to see the connection end.
 */
public final class FuseMount implements AutoCloseable {
    /** The name /proc/mounts shows as the source. */
    public static final String SOURCE = "sysboxfs";
    private static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4;

    private final Path mountpoint;
    private final FuseSession session;
    private final Logger log;
    private boolean closed;

    private FuseMount(Path mountpoint, FuseSession session, Logger log) {
        this.mountpoint = mountpoint;
        this.session = session;
        this.log = log;
    }

    /**
     * Mounts {@code fs} at {@code mountpoint} (an existing directory) and serves it on
     * {@code threads} threads. Everyone may enter it (allow_other); the kernel checks modes and
     * owners itself (default_permissions), so the file system only refuses what modes cannot say.
     */
    public static FuseMount mount(Path mountpoint, FuseFileSystem fs, int threads, Duration cacheTimeout, Logger log)
            throws ErrnoException {
        return mount(mountpoint, fs, threads, cacheTimeout, false, "sysbox-fs-fuse-", log);
    }

    /**
     * As {@link #mount(Path, FuseFileSystem, int, Duration, Logger)}; {@code readOnly} mounts a
     * read-only superblock (MS_RDONLY), whose inodes the kernel never marks for an atime update
     * after a direct-I/O read (fuse_invalidate_atime skips IS_RDONLY inodes), so the next
     * fstat(2) of a reader needs no GETATTR. Its threads are named {@code threadPrefix}N.
     */
    public static FuseMount mount(Path mountpoint, FuseFileSystem fs, int threads, Duration cacheTimeout,
                                  boolean readOnly, String threadPrefix, Logger log) throws ErrnoException {
        int fd = FuseDevice.open();
        FuseSession session = new FuseSession(fd, fs, cacheTimeout, log);
        String options = "fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions";
        try {
            MountApi.mount(SOURCE, mountpoint.toString(), "fuse", MS_NOSUID | MS_NODEV | (readOnly ? MS_RDONLY : 0),
                    options);
        } catch (ErrnoException e) {
            FuseDevice.close(fd);
            throw e;
        }
        // The kernel queues INIT at mount time; the threads answer it first.
        session.start(threads, threadPrefix);
        return new FuseMount(mountpoint, session, log);
    }

    /**
     * Serves again a connection whose server died while another process kept a descriptor of it
     * (see DescriptorKeeper): {@code fd} is this process's reference, the mount at
     * {@code mountpoint} and every bind mount of it still stand. The threads start on the
     * requests the kernel queued meanwhile, then the kernel is asked to resend those the dead
     * server had read but not answered. The file system must already answer for every node id
     * the kernel may hold.
     */
    public static FuseMount resume(Path mountpoint, int fd, FuseFileSystem fs, int threads, Duration cacheTimeout,
                                   Negotiated negotiated, Logger log) {
        return resume(mountpoint, fd, fs, threads, cacheTimeout, negotiated, "sysbox-fs-fuse-", log);
    }

    /** As {@link #resume(Path, int, FuseFileSystem, int, Duration, Negotiated, Logger)}, threads named {@code threadPrefix}N. */
    public static FuseMount resume(Path mountpoint, int fd, FuseFileSystem fs, int threads, Duration cacheTimeout,
                                   Negotiated negotiated, String threadPrefix, Logger log) {
        FuseSession session = FuseSession.resumed(fd, fs, cacheTimeout, negotiated, log);
        session.start(threads, threadPrefix);
        try {
            session.requestResend();
        } catch (ErrnoException e) {
            // Kernels before 6.9: callers blocked in a request the dead server had taken wait until interrupted.
            log.warn("the kernel cannot resend the FUSE requests a previous sysbox-fs left unanswered ({}); processes"
                    + " waiting on them stay blocked until interrupted (FUSE_NOTIFY_RESEND needs Linux 6.9)", e.getMessage());
        }
        return new FuseMount(mountpoint, session, log);
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public FuseSession session() {
        return session;
    }

    /**
     * Unmounts (lazily: a process inside the mount keeps its files, as after umount -l) and
     * waits for the serving threads. If files are still open elsewhere the connection lives on
     * until they close, and the threads, daemons, go with the process.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            MountApi.umount(mountpoint.toString(), MountApi.MNT_DETACH);
        } catch (ErrnoException e) {
            log.warn("unmounting {}: {}", mountpoint, e.getMessage());
        }
        try {
            if (!session.awaitStopped(Duration.ofSeconds(5))) {
                log.warn("FUSE connection of {} still in use after unmount (files open through it elsewhere);"
                        + " its serving threads end when they close", mountpoint);
                return; // the descriptor stays open for them
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        session.closeDevice();
    }
}
