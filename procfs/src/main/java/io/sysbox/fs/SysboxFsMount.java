package io.sysbox.fs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.fs.emulation.ContainerLayout;
import io.sysbox.fs.emulation.ContainerRegistry;
import io.sysbox.fs.emulation.EmulationFileSystem;
import io.sysbox.fs.emulation.NodeTable;
import io.sysbox.fs.emulation.RegistryJournal;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseMount;
import io.sysbox.fs.fuse.FuseSession;
import io.sysbox.fs.fuse.Negotiated;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The emulation file system mounted and served: {@code <mountpoint>/<container id>/proc/...}
 * for every registered container. The daemon runs one; tests and benchmarks mount their own.
 */
public final class SysboxFsMount implements AutoCloseable {
    /** How long the kernel may trust a name or attributes without asking (libfuse's default too). */
    public static final Duration CACHE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * Two, not one per core: the kernel hands each request to the thread that has waited
     * longest, so with more threads every request of one open+read+close wakes a different,
     * cold thread, often on the other CPU. Seven rounds of procfs.sh with 1, 2 and 4 threads on
     * the 2-core VM: with 4, sysbox-fs took 1.5-4 times as long in 4 of the 7 runs; 1 and 2 never
     * did, and 1 was 7-15% faster than 2. The second thread keeps the other containers served
     * while one request is slow (a host /proc/cpuinfo on a big machine).
     */
    public static final int DEFAULT_THREADS = 2;

    private final FuseMount fuse;
    private final ContainerRegistry registry;
    private final EmulationFileSystem fileSystem;
    private final ContainerLayout layout;
    private final Logger log;

    private SysboxFsMount(FuseMount fuse, ContainerRegistry registry, EmulationFileSystem fileSystem,
                          ContainerLayout layout, Logger log) {
        this.fuse = fuse;
        this.registry = registry;
        this.fileSystem = fileSystem;
        this.layout = layout;
        this.log = log;
    }

    public static SysboxFsMount mount(Path mountpoint, int threads, Logger log) throws IOException {
        ContainerLayout layout = ContainerLayout.standard();
        try {
            return mount(mountpoint, threads, layout, log);
        } catch (IOException | RuntimeException e) {
            layout.close();
            throw e;
        }
    }

    /**
     * Mounts at {@code mountpoint} (created if missing) and serves on {@code threads} threads;
     * the mount owns {@code layout} from then on and closes it when unmounted.
     */
    public static SysboxFsMount mount(Path mountpoint, int threads, ContainerLayout layout, Logger log)
            throws IOException {
        return mount(mountpoint, threads, layout, new RegistryJournal.None(), log);
    }

    /** As {@link #mount(Path, int, ContainerLayout, Logger)}, writing registrations to {@code journal}. */
    public static SysboxFsMount mount(Path mountpoint, int threads, ContainerLayout layout, RegistryJournal journal,
                                      Logger log) throws IOException {
        Files.createDirectories(mountpoint);
        NodeTable table = new NodeTable(System.currentTimeMillis() / 1000);
        EmulationFileSystem fileSystem = new EmulationFileSystem(table, log);
        FuseMount fuse;
        try {
            fuse = FuseMount.mount(mountpoint.toAbsolutePath(), fileSystem, threads, CACHE_TIMEOUT, log);
        } catch (ErrnoException e) {
            throw new IOException("cannot mount the sysbox-fs FUSE file system at " + mountpoint + ": "
                    + e.getMessage() + (e.errno() == Errno.EPERM ? " (sysbox-fs must run as root)" : ""), e);
        }
        SessionRef session = new SessionRef(log);
        session.set(fuse.session());
        return new SysboxFsMount(fuse, registry(table, layout, journal, session, log), fileSystem, layout, log);
    }

    /**
     * Serves again the mount at {@code mountpoint} whose FUSE connection {@code fd} is (handed
     * back by the manager's descriptor keeper after a sysbox-fs died): the containers of
     * {@code journal} are restored first, with the node ids the kernel knows them by, and only
     * then do the threads start answering, so no request about them can miss.
     */
    public static SysboxFsMount resume(Path mountpoint, int fd, Negotiated negotiated, int threads,
                                       ContainerLayout layout, RegistryJournal journal, Logger log) throws IOException {
        NodeTable table = new NodeTable(System.currentTimeMillis() / 1000);
        EmulationFileSystem fileSystem = new EmulationFileSystem(table, log);
        SessionRef session = new SessionRef(log);
        ContainerRegistry registry = registry(table, layout, journal, session, log);
        ContainerRegistry.Restored restored = registry.restore();
        restored.dropped().forEach((id, why) -> log.info("container {} is not served again: {}", id, why));
        FuseMount fuse = FuseMount.resume(mountpoint.toAbsolutePath(), fd, fileSystem, threads, CACHE_TIMEOUT,
                negotiated, log);
        session.set(fuse.session());
        log.info("resumed the FUSE connection of {} (protocol 7.{}): serving {} running containers again {}",
                mountpoint, negotiated.protocolMinor(), restored.containers().size(), restored.containers());
        return new SysboxFsMount(fuse, registry, fileSystem, layout, log);
    }

    /** The session entry invalidations go to, once it exists (a resumed registry is filled before). */
    private static final class SessionRef {
        private final Logger log;
        private volatile FuseSession session;

        SessionRef(Logger log) {
            this.log = log;
        }

        void set(FuseSession session) {
            this.session = session;
        }

        void invalidate(long parent, String name) {
            FuseSession current = session;
            if (current == null) return; // not serving yet: the kernel asked nothing of this process
            try {
                current.invalidateEntry(parent, name);
            } catch (ErrnoException e) {
                // ENOENT: the kernel had nothing cached under that name.
                if (e.errno() != Errno.ENOENT) log.warn("telling the kernel {} is gone: {}", name, e.getMessage());
            }
        }
    }

    private static ContainerRegistry registry(NodeTable table, ContainerLayout layout, RegistryJournal journal,
                                              SessionRef session, Logger log) {
        return new ContainerRegistry(table, layout, session::invalidate, () -> System.currentTimeMillis() / 1000,
                journal, (what, e) -> log.error("cannot save {} for a restart of sysbox-fs: {}", what, e.getMessage()));
    }

    /** The FUSE session: its descriptor and what INIT settled, to hand to the descriptor keeper. */
    public FuseSession session() {
        return fuse.session();
    }

    public ContainerRegistry registry() {
        return registry;
    }

    public Path mountpoint() {
        return fuse.mountpoint();
    }

    /** Where a registered container's files are: the directory to bind-mount from. */
    public Path containerDirectory(String id) {
        return fuse.mountpoint().resolve(id);
    }

    public EmulationFileSystem fileSystem() {
        return fileSystem;
    }

    /** Unmounts (lazily), stops serving, and closes the host files the emulation kept open. */
    @Override
    public void close() {
        fuse.close();
        registry.clear();
        try {
            layout.close();
        } catch (IOException e) {
            log.warn("closing the emulation's host files: {}", e.getMessage());
        }
    }
}
