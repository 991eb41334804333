package io.sysbox.fs;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.fs.emulation.registry.ContainerRegistry;
import io.sysbox.fs.emulation.registry.RegistryJournal;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.emulation.tree.EmulationFileSystem;
import io.sysbox.fs.emulation.tree.NodeTable;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseMount;
import io.sysbox.fs.fuse.FuseSession;
import io.sysbox.fs.fuse.Negotiated;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The emulation file system mounted and served: {@code <mountpoint>/<container id>/proc/...}
 * for every registered container, on one FUSE connection, and the same directories with only
 * the files no container can write under {@code <mountpoint>/.ro/<container id>/}, on a second
 * connection whose superblock is read-only (a read of a file there costs the kernel no GETATTR
 * afterwards; docs/design.md, "read path"). The daemon runs one; tests and benchmarks mount
 * their own.
 */
public final class SysboxFsMount implements AutoCloseable {
    /** How long the kernel may trust a name or attributes without asking (libfuse's default too). */
    public static final Duration CACHE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * Per connection (each has its own queue of requests). Two, not one per core: the kernel
     * hands each request to the thread that has waited longest, so with more threads every request of one open+read+close wakes a different,
     * cold thread, often on the other CPU. Seven rounds of procfs.sh with 1, 2 and 4 threads on
     * the 2-core VM: with 4, sysbox-fs took 1.5-4 times as long in 4 of the 7 runs; 1 and 2 never
     * did, and 1 was 7-15% faster than 2. The second thread keeps the other containers served
     * while one request is slow (a host /proc/cpuinfo on a big machine).
     */
    public static final int DEFAULT_THREADS = 2;

    private final FuseMount fuse;
    private final FuseMount readOnlyFuse;
    private final ContainerRegistry registry;
    private final EmulationFileSystem fileSystem;
    private final ContainerLayout layout;
    private final Logger log;

    private SysboxFsMount(FuseMount fuse, FuseMount readOnlyFuse, ContainerRegistry registry,
                          EmulationFileSystem fileSystem, ContainerLayout layout, Logger log) {
        this.fuse = fuse;
        this.readOnlyFuse = readOnlyFuse;
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
        Path absolute = mountpoint.toAbsolutePath();
        FuseMount fuse;
        try {
            fuse = FuseMount.mount(absolute, fileSystem, threads, CACHE_TIMEOUT, log);
        } catch (ErrnoException e) {
            throw new IOException("cannot mount the sysbox-fs FUSE file system at " + mountpoint + ": "
                    + e.getMessage() + (e.errno() == Errno.EPERM ? " (sysbox-fs must run as root)" : ""), e);
        }
        FuseMount readOnlyFuse;
        try {
            // On the read-write mount's own directory: the threads above answer its lookup.
            readOnlyFuse = FuseMount.mount(readOnlyMountpoint(absolute), EmulationFileSystem.readOnly(table, log),
                    threads, CACHE_TIMEOUT, true, "sysbox-fs-fuse-ro-", log);
        } catch (ErrnoException e) {
            fuse.close();
            throw new IOException("cannot mount the read-only sysbox-fs FUSE file system at "
                    + readOnlyMountpoint(absolute) + ": " + e.getMessage(), e);
        }
        SessionRef session = new SessionRef(log);
        session.set(fuse.session(), readOnlyFuse.session());
        return new SysboxFsMount(fuse, readOnlyFuse, registry(table, layout, journal, session, log), fileSystem, layout,
                log);
    }

    /** Where the read-only connection is mounted: the read-write tree's {@link NodeTable#READ_ONLY_DIRECTORY}. */
    public static Path readOnlyMountpoint(Path mountpoint) {
        return mountpoint.resolve(NodeTable.READ_ONLY_DIRECTORY);
    }

    /** What a resumed mount serves: each connection's descriptor and what its INIT settled. */
    public record Connections(int fd, Negotiated negotiated, int readOnlyFd, Negotiated readOnlyNegotiated) {}

    /**
     * Serves again the mount at {@code mountpoint} whose FUSE connection {@code fd} is (handed
     * back by the manager's descriptor keeper after a sysbox-fs died): the containers of
     * {@code journal} are restored first, with the node ids the kernel knows them by, and only
     * then do the threads start answering, so no request about them can miss.
     */
    public static SysboxFsMount resume(Path mountpoint, Connections connections, int threads,
                                       ContainerLayout layout, RegistryJournal journal, Logger log) throws IOException {
        NodeTable table = new NodeTable(System.currentTimeMillis() / 1000);
        EmulationFileSystem fileSystem = new EmulationFileSystem(table, log);
        SessionRef session = new SessionRef(log);
        ContainerRegistry registry = registry(table, layout, journal, session, log);
        ContainerRegistry.Restored restored = registry.restore();
        restored.dropped().forEach((id, why) -> log.info("container {} is not served again: {}", id, why));
        Path absolute = mountpoint.toAbsolutePath();
        FuseMount fuse = FuseMount.resume(absolute, connections.fd(), fileSystem, threads, CACHE_TIMEOUT,
                connections.negotiated(), log);
        FuseMount readOnlyFuse = FuseMount.resume(readOnlyMountpoint(absolute), connections.readOnlyFd(),
                EmulationFileSystem.readOnly(table, log), threads, CACHE_TIMEOUT, connections.readOnlyNegotiated(),
                "sysbox-fs-fuse-ro-", log);
        session.set(fuse.session(), readOnlyFuse.session());
        log.info("resumed the FUSE connections of {} (protocol 7.{}): serving {} running containers again {}",
                mountpoint, connections.negotiated().protocolMinor(), restored.containers().size(),
                restored.containers());
        return new SysboxFsMount(fuse, readOnlyFuse, registry, fileSystem, layout, log);
    }

    /** The sessions entry invalidations go to, once they exist (a resumed registry is filled before). */
    private static final class SessionRef {
        private final Logger log;
        private volatile List<FuseSession> sessions = List.of();

        SessionRef(Logger log) {
            this.log = log;
        }

        void set(FuseSession readWrite, FuseSession readOnly) {
            this.sessions = List.of(readWrite, readOnly);
        }

        /** A container's directory is gone from the root of both trees. */
        void invalidate(String containerId) {
            // Empty while not serving yet: the kernel asked nothing of this process.
            for (FuseSession session : sessions) {
                try {
                    session.invalidateEntry(NodeTable.ROOT_ID, containerId);
                } catch (ErrnoException e) {
                    // ENOENT: the kernel had nothing cached under that name.
                    if (e.errno() != Errno.ENOENT) log.warn("telling the kernel {} is gone: {}", containerId, e.getMessage());
                }
            }
        }
    }

    private static ContainerRegistry registry(NodeTable table, ContainerLayout layout, RegistryJournal journal,
                                              SessionRef session, Logger log) {
        return new ContainerRegistry(table, layout, session::invalidate, () -> System.currentTimeMillis() / 1000,
                journal, (what, e) -> log.error("cannot save {} for a restart of sysbox-fs: {}", what, e.getMessage()));
    }

    /** The read-write FUSE session: its descriptor and what INIT settled, to hand to the descriptor keeper. */
    public FuseSession session() {
        return fuse.session();
    }

    /** The read-only FUSE session, handed to the descriptor keeper with the read-write one. */
    public FuseSession readOnlySession() {
        return readOnlyFuse.session();
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

    /** Where a registered container's read-only files are, on the read-only connection. */
    public Path readOnlyContainerDirectory(String id) {
        return readOnlyFuse.mountpoint().resolve(id);
    }

    /** What each container's directory holds. */
    public ContainerLayout layout() {
        return layout;
    }

    public EmulationFileSystem fileSystem() {
        return fileSystem;
    }

    /** Unmounts (lazily), stops serving, and closes the host files the emulation kept open. */
    @Override
    public void close() {
        // The read-only mount first: it stands inside the other, whose lazy unmount would detach it unseen.
        readOnlyFuse.close();
        fuse.close();
        registry.clear();
        try {
            layout.close();
        } catch (IOException e) {
            log.warn("closing the emulation's host files: {}", e.getMessage());
        }
    }
}
