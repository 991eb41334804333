package io.sysbox.fs.emulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The containers sysbox-fs emulates files for. Registering one adds {@code <id>/proc/...} and
 * {@code <id>/sys/...} (the directories of the {@link ContainerLayout}) under the mount root;
 * unregistering removes it and tells the kernel to forget the name.
 */
public final class ContainerRegistry {
    /** Tells the kernel that a name under a directory is gone (FUSE_NOTIFY_INVAL_ENTRY). */
    @FunctionalInterface
    public interface EntryInvalidator {
        void invalidate(long parent, String name);
    }

    private final NodeTable table;
    private final ContainerLayout layout;
    private final EntryInvalidator invalidator;
    private final LongSupplier epochSeconds;
    private final ConcurrentHashMap<String, ContainerState> containers = new ConcurrentHashMap<>();

    public ContainerRegistry(NodeTable table, ContainerLayout layout, EntryInvalidator invalidator,
                             LongSupplier epochSeconds) {
        this.table = table;
        this.layout = layout;
        this.invalidator = invalidator;
        this.epochSeconds = epochSeconds;
    }

    /**
     * Starts emulating {@code container}'s files under {@code <mount>/<id>}.
     *
     * @throws IllegalArgumentException if the id cannot be a directory name
     * @throws IOException if its cgroup files cannot be opened
     */
    public synchronized void register(Container container) throws AlreadyRegisteredException, IOException {
        checkId(container.id());
        if (containers.containsKey(container.id())) throw new AlreadyRegisteredException(container.id());
        ContainerState state = ContainerState.open(container);
        long now = epochSeconds.getAsLong();
        DirectoryNode root = table.root();
        DirectoryNode top = new DirectoryNode(table.newId(), root.id(), container.id(), 0555, container.rootUid(),
                container.rootGid(), now);
        List<Node> nodes = new ArrayList<>(List.of(top));
        Map<String, DirectoryNode> directories = new HashMap<>(Map.of("", top));
        for (EmulatedDirectory emulated : layout.directories()) {
            DirectoryNode parent = directories.get(emulated.parent());
            DirectoryNode directory = new DirectoryNode(table.newId(), parent.id(), emulated.name(),
                    emulated.permissions(), container.rootUid(), container.rootGid(), now);
            parent.add(directory);
            nodes.add(directory);
            directories.put(emulated.path(), directory);
            for (EmulatedFile file : emulated.files()) {
                FileNode node = new FileNode(table.newId(), state, file, now);
                directory.add(node);
                nodes.add(node);
            }
        }
        nodes.forEach(table::add);
        containers.put(container.id(), state);
        // Linked last: a lookup sees the directory only once all of it exists.
        root.add(top);
    }

    /** Removes the container's directory; returns whether it was registered. */
    public synchronized boolean unregister(String id) {
        ContainerState state = containers.remove(id);
        if (state == null) return false;
        Optional<Node> top = table.root().remove(id);
        top.ifPresent(table::removeTree);
        // The kernel may have cached the name for the entry timeout; make it look again (and miss).
        invalidator.invalidate(table.root().id(), id);
        closeQuietly(state);
        return true;
    }

    /** Unregisters every container (the file system is going away). */
    public synchronized void clear() {
        for (String id : List.copyOf(containers.keySet())) unregister(id);
    }

    private static void closeQuietly(ContainerState state) {
        try {
            state.close();
        } catch (IOException e) {
            // Read-only descriptors: closing them cannot lose anything.
        }
    }

    public Optional<Container> find(String id) {
        return Optional.ofNullable(containers.get(id)).map(ContainerState::container);
    }

    public List<Container> containers() {
        return containers.values().stream().map(ContainerState::container).toList();
    }

    private static void checkId(String id) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("container id is empty");
        if (id.equals(".") || id.equals("..") || id.indexOf('/') >= 0 || id.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("container id '" + id + "' cannot name a directory: it must not be"
                    + " '.' or '..' nor contain '/' or NUL");
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("container id '" + id + "' is longer than 255 bytes");
        }
    }
}
