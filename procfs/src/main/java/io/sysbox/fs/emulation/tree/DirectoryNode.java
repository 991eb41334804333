package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.fuse.Attributes;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A directory: its children are added and removed while the kernel may be listing it. One that
 * passes a host directory through shows the host's names too, except those it has itself.
 */
public final class DirectoryNode implements Node {
    private final long id;
    private final long parentId;
    private final String name;
    private final int permissions;
    private final int uid;
    private final int gid;
    private final long timeSeconds;
    private final ConcurrentSkipListMap<String, Node> children = new ConcurrentSkipListMap<>();
    private final HostChildren host;

    public DirectoryNode(long id, long parentId, String name, int permissions, int uid, int gid, long timeSeconds) {
        this(id, parentId, name, permissions, uid, gid, timeSeconds, null);
    }

    /** @param host the host directory's names it passes through, or null */
    DirectoryNode(long id, long parentId, String name, int permissions, int uid, int gid, long timeSeconds,
                  HostChildren host) {
        this.host = host;
        this.id = id;
        this.parentId = parentId;
        this.name = name;
        this.permissions = permissions;
        this.uid = uid;
        this.gid = gid;
        this.timeSeconds = timeSeconds;
    }

    @Override
    public long id() {
        return id;
    }

    /** The directory ".." names; the root's is itself. */
    public long parentId() {
        return parentId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Attributes attributes() {
        long subdirectories = children.values().stream().filter(n -> n instanceof DirectoryNode).count();
        return new Attributes(id, 0, Attributes.S_IFDIR | permissions, (int) (2 + subdirectories), uid, gid, timeSeconds);
    }

    /** The host directory it passes through, if it does. */
    public Optional<HostChildren> host() {
        return Optional.ofNullable(host);
    }

    public Optional<Node> child(String name) {
        return Optional.ofNullable(children.get(name));
    }

    /** Children in name order. */
    public List<Node> children() {
        return List.copyOf(children.values());
    }

    /** Adds a child unless the name is taken; returns whether it was added. */
    boolean add(Node child) {
        return children.putIfAbsent(child.name(), child) == null;
    }

    Optional<Node> remove(String name) {
        return Optional.ofNullable(children.remove(name));
    }
}
