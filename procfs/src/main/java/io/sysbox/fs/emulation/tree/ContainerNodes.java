package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.WritableFile;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.registry.ContainerState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A registered container's nodes: built from the {@link ContainerLayout} and linked under both
 * roots of the {@link NodeTable} when it is registered, unlinked when it goes. Callers (the
 * registry) serialize link and unlink.
 */
public final class ContainerNodes {
    /**
     * The prefix of the read-only tree's paths in {@link NodeTable#idOf}: a NUL, which no path
     * holds, so they never derive the id of a read-write node.
     */
    private static final String READ_ONLY_PATHS = "\0ro/";

    private final NodeTable table;
    private final ContainerLayout layout;

    public ContainerNodes(NodeTable table, ContainerLayout layout) {
        this.table = table;
        this.layout = layout;
    }

    /**
     * Builds the container's directories and links them under both roots, their node ids
     * derived from {@code nonce}: under the read-write root with every file, under the
     * read-only root with the same directories and only the files no container can write.
     *
     * @param now the nodes' times, in seconds since the epoch
     */
    public void link(ContainerState state, long nonce, long now) {
        List<Node> nodes = new ArrayList<>();
        DirectoryNode top = tree(state, nonce, "", table.root(), file -> true, now, nodes);
        DirectoryNode readOnlyTop = tree(state, nonce, READ_ONLY_PATHS, table.readOnlyRoot(),
                file -> !(file instanceof WritableFile), now, nodes); // as ContainerLayout.served() tells the runtime
        table.addAll(nodes);
        // Linked last: a lookup sees a directory only once all of it exists.
        table.root().add(top);
        table.readOnlyRoot().add(readOnlyTop);
    }

    /** Unlinks the container's directory from both roots and drops every node under them. */
    public void unlink(String containerId) {
        table.root().remove(containerId).ifPresent(table::removeTree);
        table.readOnlyRoot().remove(containerId).ifPresent(table::removeTree);
    }

    private DirectoryNode tree(ContainerState state, long nonce, String prefix, DirectoryNode root,
                               Predicate<EmulatedFile> served, long now, List<Node> nodes) {
        Container container = state.container();
        DirectoryNode top = new DirectoryNode(NodeTable.idOf(nonce, prefix), root.id(), container.id(), 0555,
                container.rootUid(), container.rootGid(), now);
        nodes.add(top);
        Map<String, DirectoryNode> directories = new HashMap<>(Map.of("", top));
        for (EmulatedDirectory emulated : layout.directories()) {
            DirectoryNode parent = directories.get(emulated.parent());
            HostChildren host = emulated.host().map(dir -> new HostChildren(dir, prefix + emulated.path(), nonce,
                    container.rootUid(), container.rootGid())).orElse(null);
            DirectoryNode directory = new DirectoryNode(NodeTable.idOf(nonce, prefix + emulated.path()), parent.id(),
                    emulated.name(), emulated.permissions(), container.rootUid(), container.rootGid(), now, host);
            parent.add(directory);
            nodes.add(directory);
            directories.put(emulated.path(), directory);
            for (EmulatedFile file : emulated.files()) {
                if (!served.test(file)) continue;
                FileNode node = new FileNode(NodeTable.idOf(nonce, prefix + emulated.path() + "/" + file.name()), state,
                        file, now);
                directory.add(node);
                nodes.add(node);
            }
        }
        return top;
    }
}
