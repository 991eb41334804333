package io.sysbox.fs.emulation;

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
 */
public final class NodeTable {
    public static final long ROOT_ID = 1;

    private final ConcurrentHashMap<Long, Node> nodes = new ConcurrentHashMap<>();
    private final DirectoryNode root;

    /** @param timeSeconds the root's times (the mount's start) */
    public NodeTable(long timeSeconds) {
        root = new DirectoryNode(ROOT_ID, ROOT_ID, "", 0755, 0, 0, timeSeconds);
        nodes.put(ROOT_ID, root);
    }

    public DirectoryNode root() {
        return root;
    }

    public Optional<Node> find(long id) {
        return Optional.ofNullable(nodes.get(id));
    }

    /**
     * The id of {@code path} ("" for the container's directory, "proc/uptime"...) in the
     * registration {@code nonce}: 63 bits of a SHA-256, never the root's nor 0 (FUSE's "none").
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
        return id <= ROOT_ID ? id + 2 : id;
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
