package io.sysbox.fs.emulation.tree;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.WritableFile;
import io.sysbox.fs.fuse.AttributeChange;
import io.sysbox.fs.fuse.Attributes;
import io.sysbox.fs.fuse.Caller;
import io.sysbox.fs.fuse.DirectoryEntry;
import io.sysbox.fs.fuse.Entry;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;
import io.sysbox.fs.fuse.FuseFileSystem;
import io.sysbox.fs.fuse.Opened;
import io.sysbox.fs.fuse.ReadKind;
import org.apache.logging.log4j.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulation tree served over FUSE. Emulated files are opened with direct I/O, so every
 * read reaches {@link EmulatedFile#render}: each pass over an open file is one rendering (see
 * {@link OpenFile}), and reads the kernel would make into its page cache are refused (see
 * {@link #read}). Only {@link WritableFile}s open for writing, and each write hands them a whole value.
 * {@link HostNode}s (the host's sysfs passed through) are read with preads of the host file,
 * also with direct I/O, and never open for writing.
 */
public final class EmulationFileSystem implements FuseFileSystem {
    private static final int O_ACCMODE = 3, O_RDONLY = 0, O_TRUNC = 01000;

    private final NodeTable table;
    /** The table's node this connection's root (FUSE node id 1) is: {@link NodeTable#root} or {@link NodeTable#readOnlyRoot}. */
    private final long rootId;
    private final Logger log;
    /**
     * Handles are not kept anywhere but here, so a sysbox-fs restarted on the same connection
     * (see FuseSession.resume) receives handles it never gave: it re-derives them from the node
     * the request names ({@link #reopened}). Its own must then never equal one of those: they
     * count up from CLOCK_BOOTTIME at start, which grows by a nanosecond per nanosecond across
     * processes, while a process hands out far fewer than one handle per nanosecond.
     */
    private final AtomicLong nextHandle = new AtomicLong(BootClock.nanos());
    private final ConcurrentHashMap<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, HostFile> openHostFiles = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, List<DirectoryEntry>> openDirectories = new ConcurrentHashMap<>();
    /** Per file node: the size last reported, from its last render (see {@link #attributesOf}). */
    private final ConcurrentHashMap<Long, Long> reportedSizes = new ConcurrentHashMap<>();

    /** Serves the read-write tree of {@code table}. */
    public EmulationFileSystem(NodeTable table, Logger log) {
        this(table, NodeTable.ROOT_ID, log);
    }

    /** Serves the tree of {@code table} under {@code rootId}, which the kernel knows as its root. */
    public EmulationFileSystem(NodeTable table, long rootId, Logger log) {
        this.table = table;
        this.rootId = rootId;
        this.log = log;
    }

    /** Serves the read-only tree of {@code table}, for a connection mounted read-only. */
    public static EmulationFileSystem readOnly(NodeTable table, Logger log) {
        return new EmulationFileSystem(table, NodeTable.READ_ONLY_ROOT_ID, log);
    }

    /**
     * An emulated file opened once, and the rendering its reads are cut from. Each pass over the
     * file is one rendering: the first read renders, whatever its offset, and later reads are
     * cut from that copy, however the readers split the file among them (dd bs=1, two threads
     * preading one descriptor, processes sharing it); only a read at offset 0 after one at
     * offset 0 was served (a reader that seeks back, like top) renders afresh, as seq_file does.
     */
    private final class OpenFile {
        final FileNode node;
        /** Guarded by this. */
        private byte[] content;
        /** Guarded by this: a read at offset 0 was served from {@link #content}. */
        private boolean startServed;

        OpenFile(FileNode node) {
            this.node = node;
        }

        synchronized byte[] contentFor(long offset) throws FuseException {
            if (content == null || (offset == 0 && startServed)) {
                content = render(node);
                startServed = false;
                rememberSize(node, content);
            }
            if (offset == 0) startServed = true;
            return content;
        }
    }

    @Override
    public Entry lookup(Caller caller, long parent, String name) throws FuseException {
        Node child = switch (node(parent)) {
            case DirectoryNode directory -> {
                Optional<Node> own = directory.child(name);
                if (own.isPresent()) yield own.get();
                if (directory.host().isEmpty()) yield null;
                yield directory.host().get().lookup(name, directory.id()).map(table::addLooked).orElse(null);
            }
            case HostNode host -> host.children().lookup(name, host.id()).map(table::addLooked).orElse(null);
            case FileNode file -> throw new FuseException(Errno.ENOTDIR, "node " + parent + " is not a directory");
        };
        if (child == null) throw new FuseException(Errno.ENOENT, "no " + name);
        return new Entry(child.id(), attributesOf(child));
    }

    /** The kernel dropped the node's inode: its next lookup measures the content again. */
    @Override
    public void forget(long nodeId, long lookups) {
        reportedSizes.remove(nodeId);
    }

    @Override
    public Attributes getAttributes(Caller caller, long nodeId) throws FuseException {
        return attributesOf(node(nodeId));
    }

    /**
     * A file's size is its last rendering's, rounded up to the next page: never below what a
     * read returns (unless the content has since grown past that page), so a reader that trusts
     * the size reads to the end; and never 0, as /proc shows, because sendfile(2) and splice(2)
     * return end of file at once at the size the kernel holds, before they ask for the page this
     * server refuses and their callers fall back to read(2). The kernel keeps the size it was
     * last told: page-cache reads, whose short answers would lower it, are never answered.
     * The content measured is the last one rendered, not a new one: every fstat(2) after a read
     * (cat, Java's FileInputStream) asks for attributes again, because the read made the
     * kernel's atime stale, and rendering for it would double the cost of each read.
     */
    private Attributes attributesOf(Node node) throws FuseException {
        Attributes attributes = node.attributes();
        if (!(node instanceof FileNode file)) return attributes;
        Long size = reportedSizes.get(file.id());
        if (size == null) size = rememberSize(file, render(file));
        return new Attributes(attributes.ino(), size, attributes.mode(), attributes.nlink(), attributes.uid(),
                attributes.gid(), attributes.timeSeconds());
    }

    private long rememberSize(FileNode file, byte[] content) {
        long size = (content.length / PAGE + 1L) * PAGE;
        Long previous = reportedSizes.get(file.id());
        if (previous == null || previous != size) reportedSizes.put(file.id(), size);
        return size;
    }

    private static final int PAGE = 4096;

    @Override
    public Attributes setAttributes(Caller caller, long nodeId, AttributeChange change) throws FuseException {
        Node node = node(nodeId);
        if (change.changesMode() || change.changesOwner()) {
            throw new FuseException(Errno.EPERM, "emulated nodes keep their mode and owner");
        }
        // Truncation (echo 1 > file without atomic O_TRUNC) and time changes have nothing to change on
        // generated content: accepted, as /proc does.
        return attributesOf(node);
    }

    @Override
    public Opened open(Caller caller, long nodeId, int flags) throws FuseException {
        Node node = node(nodeId);
        // Only reached once the kernel checked the caller against the node's mode and owner (default_permissions);
        // host root passes that check for any mode, so a read-only file refuses here too.
        boolean writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
        if (node instanceof HostNode host) {
            // sysfs refuses a user-namespaced root's writes (its files are not owned by it): so does the pass-through.
            if (writing) throw new FuseException(Errno.EACCES, "read-only host file");
            long handle = nextHandle.getAndIncrement();
            openHostFiles.put(handle, HostFile.open(host));
            return new Opened(handle, Opened.DIRECT_IO | Opened.NO_FLUSH);
        }
        if (!(node instanceof FileNode file)) throw new FuseException(Errno.EISDIR, "a directory");
        if (writing && !(file.file() instanceof WritableFile)) {
            throw new FuseException(Errno.EACCES, "read-only emulated file");
        }
        long handle = nextHandle.getAndIncrement();
        openFiles.put(handle, new OpenFile(file));
        return new Opened(handle, Opened.DIRECT_IO | Opened.NO_FLUSH);
    }

    @Override
    public byte[] readLink(Caller caller, long nodeId) throws FuseException {
        if (node(nodeId) instanceof HostNode host) return HostFile.readLink(host);
        throw new FuseException(Errno.EINVAL, "not a symbolic link");
    }

    /**
     * Reads for a caller are served; reads into the page cache are refused with EINVAL, so
     * sendfile(2) and splice(2) fail before they copy anything, and their callers (busybox cat,
     * Java's transferTo, Python's shutil) fall back to read(2). A page-cache read cannot give a
     * reader one whole rendering: the page cache and the size bounding it belong to the inode,
     * shared by every open of it. The kernel cuts such a read at the size it holds, which
     * content grown since the last GETATTR exceeds ("10" of "1001"); pads it with zeros up to a
     * size a GETATTR raised meanwhile; and refills a page another open dropped (every open
     * drops them, FOPEN_KEEP_CACHE not set) from a newer rendering, glued to the older one a
     * reader already has. Nothing a server can send keeps that size right for two readers at
     * once (docs/design.md, "read path").
     */
    @Override
    public ByteBuffer read(Caller caller, long nodeId, long handle, long offset, int size, ReadKind kind)
            throws FuseException {
        if (kind == ReadKind.PAGE_CACHE) throw new FuseException(Errno.EINVAL, "no page-cache reads of emulated files");
        HostFile hostFile = openHostFiles.get(handle);
        if (hostFile == null && node(nodeId) instanceof HostNode host) hostFile = reopenedHost(host, handle);
        if (hostFile != null) return hostFile.read(offset, size);
        OpenFile open = openFiles.get(handle);
        if (open == null) open = reopened(nodeId, handle);
        byte[] content = open.contentFor(offset);
        if (offset >= content.length) return ByteBuffer.allocate(0);
        return ByteBuffer.wrap(content, (int) offset, (int) Math.min(size, content.length - offset));
    }

    private byte[] render(FileNode node) throws FuseException {
        try {
            return node.file().render(node.container());
        } catch (FuseException e) {
            log.warn("{}/{}: {}", node.container().id(), node.name(), e.getMessage());
            throw e;
        }
    }

    /**
     * A write gives the whole value at offset 0, as to a sysctl file. Later offsets are taken and
     * ignored, as the kernel does for sysctls (sysctl_writes_strict): a writer that splits its
     * value gets only the first piece applied, never a value glued from pieces.
     */
    @Override
    public int write(Caller caller, long nodeId, long handle, long offset, ByteBuffer data) throws FuseException {
        OpenFile open = openFiles.get(handle);
        if (open == null) open = reopened(nodeId, handle);
        if (!(open.node.file() instanceof WritableFile file)) throw new FuseException(Errno.EACCES, "read-only emulated file");
        int length = data.remaining();
        if (offset != 0) return length;
        byte[] value = new byte[length];
        data.get(value);
        try {
            file.write(open.node.container(), new String(value, StandardCharsets.ISO_8859_1));
        } catch (FuseException e) {
            // A value the file does not take is the writer's mistake, not the daemon's.
            if (e.errno() != Errno.EINVAL) log.warn("{}/{}: {}", open.node.container().id(), open.node.name(), e.getMessage());
            throw e;
        }
        return length;
    }

    @Override
    public void release(long nodeId, long handle) {
        openFiles.remove(handle);
        HostFile hostFile = openHostFiles.remove(handle);
        if (hostFile != null) hostFile.close();
    }

    /** A host file a previous sysbox-fs opened for the kernel: opened again (see {@link #reopened}). */
    private HostFile reopenedHost(HostNode host, long handle) throws FuseException {
        HostFile opened = HostFile.open(host);
        HostFile raced = openHostFiles.putIfAbsent(handle, opened);
        if (raced == null) return opened;
        opened.close();
        return raced;
    }

    @Override
    public Opened openDirectory(Caller caller, long nodeId, int flags) throws FuseException {
        // The listing is fixed at open, so a container registered meanwhile cannot shift the offsets.
        List<DirectoryEntry> entries = listing(node(nodeId));
        long handle = nextHandle.getAndIncrement();
        openDirectories.put(handle, entries);
        return new Opened(handle, 0);
    }

    private List<DirectoryEntry> listing(Node node) throws FuseException {
        List<DirectoryEntry> entries = new ArrayList<>();
        switch (node) {
            case DirectoryNode directory -> {
                entries.add(new DirectoryEntry(".", exposed(directory.id()), Attributes.S_IFDIR));
                entries.add(new DirectoryEntry("..", exposed(directory.parentId()), Attributes.S_IFDIR));
                List<Node> own = directory.children();
                List<DirectoryEntry> named = new ArrayList<>();
                for (Node child : own) named.add(new DirectoryEntry(child.name(), child.id(), child.attributes().mode()));
                if (directory.host().isPresent()) {
                    named.addAll(directory.host().get().list(own.stream().map(Node::name).toList()));
                    named.sort(Comparator.comparing(DirectoryEntry::name));
                }
                entries.addAll(named);
            }
            case HostNode host -> {
                if (HostNode.typeOf(host.attributes().mode()) != Attributes.S_IFDIR) {
                    throw new FuseException(Errno.ENOTDIR, "node " + host.id() + " is not a directory");
                }
                entries.add(new DirectoryEntry(".", host.id(), Attributes.S_IFDIR));
                entries.add(new DirectoryEntry("..", host.parentId(), Attributes.S_IFDIR));
                entries.addAll(host.children().list(List.of()));
            }
            case FileNode file -> throw new FuseException(Errno.ENOTDIR, "node " + file.id() + " is not a directory");
        }
        return List.copyOf(entries);
    }

    @Override
    public List<DirectoryEntry> readDirectory(Caller caller, long nodeId, long handle, long offset)
            throws FuseException {
        List<DirectoryEntry> entries = openDirectories.get(handle);
        if (entries == null) entries = reopenedDirectory(nodeId, handle);
        if (offset >= entries.size()) return List.of();
        return entries.subList((int) offset, entries.size());
    }

    /**
     * A handle this process never gave: a previous sysbox-fs opened the file before it was
     * restarted. The handle is re-derived from the node, as if opened now; a write still reaches
     * only a writable file (checked by write itself), and the kernel only writes to a handle
     * opened for writing.
     */
    private OpenFile reopened(long nodeId, long handle) throws FuseException {
        if (!(node(nodeId) instanceof FileNode file)) throw new FuseException(Errno.EBADF, "unknown handle");
        OpenFile open = new OpenFile(file);
        OpenFile raced = openFiles.putIfAbsent(handle, open);
        return raced == null ? open : raced;
    }

    /** A directory handle a previous sysbox-fs gave: listed now (see {@link #reopened}). */
    private List<DirectoryEntry> reopenedDirectory(long nodeId, long handle) throws FuseException {
        List<DirectoryEntry> entries = listing(node(nodeId));
        List<DirectoryEntry> raced = openDirectories.putIfAbsent(handle, entries);
        return raced == null ? entries : raced;
    }

    @Override
    public void releaseDirectory(long nodeId, long handle) {
        openDirectories.remove(handle);
    }

    @Override
    public void access(Caller caller, long nodeId, int mask) throws FuseException {
        node(nodeId);
    }

    /** How many files and directories are open (for tests and the log). */
    public int openHandles() {
        return openFiles.size() + openHostFiles.size() + openDirectories.size();
    }

    /** The id the kernel knows a node by: the root's is FUSE's root id. */
    private long exposed(long id) {
        return id == rootId ? NodeTable.ROOT_ID : id;
    }

    private Node node(long id) throws FuseException {
        long inTable = id == NodeTable.ROOT_ID ? rootId : id;
        return table.find(inTable).orElseThrow(() -> new FuseException(Errno.ENOENT, "node " + id + " is gone"));
    }

}
