package io.sysbox.fs.emulation.tree;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every node the kernel may name, by id. A node's id is derived from its registration's nonce
 * and its path in the container's tree, not counted: the kernel keeps the ids it was given for
 * as long as it caches the inodes (a container's bind mounts pin them), and a sysbox-fs
 * restarted on the same FUSE connection must answer for those ids with the same nodes. A new
 * registration (new nonce) gets new ids, so an id the kernel still holds from an earlier
 * registration of the same container id misses instead of hitting the new node.
 *
 * <p>It holds two trees, one per FUSE connection of sysbox-fs (see {@link #readOnlyRoot}): the
 * read-write one, under {@link #root}, and the read-only one under {@link #readOnlyRoot}, which
 * the read-only connection presents as its root and the read-write tree shows as the
 * (mounted-over) directory {@link #READ_ONLY_DIRECTORY}.
 */
public final class NodeTable {
    public static final long ROOT_ID = 1;
    /**
     * The read-only tree's root, and the directory of the read-write root it is mounted on.
     * Fixed, not derived: the kernel keeps the directory's id as long as the read-only mount
     * stands on it, across restarts of sysbox-fs, and a lookup answering another id would make
     * it detach that mount (and every container's bind mount of it).
     */
    public static final long READ_ONLY_ROOT_ID = 2, READ_ONLY_DIRECTORY_ID = 3;
    /** The name of the directory of the read-write root that the read-only tree is mounted on. */
    public static final String READ_ONLY_DIRECTORY = ".ro";
    private static final long LAST_FIXED_ID = READ_ONLY_DIRECTORY_ID;

    private final ConcurrentHashMap<Long, Node> nodes = new ConcurrentHashMap<>();
    private final DirectoryNode root;
    private final DirectoryNode readOnlyRoot;

    /** @param timeSeconds the roots' times (the mount's start) */
    public NodeTable(long timeSeconds) {
        root = new DirectoryNode(ROOT_ID, ROOT_ID, "", 0755, 0, 0, timeSeconds);
        readOnlyRoot = new DirectoryNode(READ_ONLY_ROOT_ID, READ_ONLY_ROOT_ID, "", 0755, 0, 0, timeSeconds);
        DirectoryNode mountedOn = new DirectoryNode(READ_ONLY_DIRECTORY_ID, ROOT_ID, READ_ONLY_DIRECTORY, 0755, 0, 0,
                timeSeconds);
        nodes.put(ROOT_ID, root);
        nodes.put(READ_ONLY_ROOT_ID, readOnlyRoot);
        nodes.put(READ_ONLY_DIRECTORY_ID, mountedOn);
        root.add(mountedOn);
    }

    /** The read-write tree's root: every container's directory with all its files. */
    public DirectoryNode root() {
        return root;
    }

    /**
     * The read-only tree's root: every container's directory with only the files no container
     * can write, served on a FUSE connection whose superblock is read-only (docs/design.md,
     * "read path").
     */
    public DirectoryNode readOnlyRoot() {
        return readOnlyRoot;
    }

    public Optional<Node> find(long id) {
        return Optional.ofNullable(nodes.get(id));
    }

    /**
     * The id of {@code path} ("" for the container's directory, "proc/uptime"...) in the
     * registration {@code nonce}: 63 bits of a SHA-256, never a fixed id nor 0 (FUSE's "none").
     */
    static long idOf(long nonce, String path) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        sha.update(ByteBuffer.allocate(8).putLong(nonce).array());
        byte[] digest = sha.digest(path.getBytes(StandardCharsets.UTF_8));
        long id = ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
        return id <= LAST_FIXED_ID ? id + LAST_FIXED_ID + 1 : id;
    }

    /**
     * Adds nodes, all or none: an id already taken (two registrations whose 63-bit ids collide,
     * about one chance in 10^18 per node) fails the registration rather than shadowing a node.
     * Callers serialize additions.
     */
    void addAll(List<Node> added) {
        for (Node node : added) {
            Node present = nodes.get(node.id());
            if (present != null) {
                throw new IllegalStateException("node id " + node.id() + " of " + node.name() + " is taken by "
                        + present.name() + "; register the container again (it gets new ids)");
            }
        }
        for (Node node : added) nodes.put(node.id(), node);
    }

    /**
     * Adds a host node looked up now, unless it is there already (looked up before, or by a
     * racing thread): the node the table holds is returned.
     */
    HostNode addLooked(HostNode node) {
        Node present = nodes.putIfAbsent(node.id(), node);
        if (present == null) return node;
        if (present instanceof HostNode host && host.host().equals(node.host())) return host;
        throw new IllegalStateException("node id " + node.id() + " of " + node.host() + " is taken by " + present.name());
    }

    /** Drops a node and everything under it, the host nodes looked up under it included. */
    void removeTree(Node node) {
        nodes.remove(node.id());
        switch (node) {
            case DirectoryNode directory -> {
                for (Node child : directory.children()) removeTree(child);
                directory.host().ifPresent(host -> host.looked().forEach(this::removeTree));
            }
            case HostNode host -> host.children().looked().forEach(this::removeTree);
            case FileNode file -> {}
        }
    }
}
