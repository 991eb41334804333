package io.sysbox.fs.emulation;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every node the kernel may name, by id. Ids count up from the root's (1) and are never
 * reused, so the kernel's lookup counts need no bookkeeping: a forgotten or removed node is
 * simply absent.
 */
public final class NodeTable {
    public static final long ROOT_ID = 1;

    private final AtomicLong nextId = new AtomicLong(ROOT_ID + 1);
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

    long newId() {
        return nextId.getAndIncrement();
    }

    void add(Node node) {
        nodes.put(node.id(), node);
    }

    /** Drops a node and everything under it. */
    void removeTree(Node node) {
        nodes.remove(node.id());
        if (node instanceof DirectoryNode directory) {
            for (Node child : directory.children()) removeTree(child);
        }
    }
}
