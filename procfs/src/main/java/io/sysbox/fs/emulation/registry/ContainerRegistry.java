package io.sysbox.fs.emulation.registry;

import io.sysbox.common.proto.SavedContainer;
import io.sysbox.common.proto.SavedState;
import io.sysbox.fs.emulation.proc.sys.SysctlStore;
import io.sysbox.fs.emulation.proc.sys.SysctlValue;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import io.sysbox.fs.emulation.tree.ContainerNodes;
import io.sysbox.fs.emulation.tree.NodeTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The containers sysbox-fs emulates files for. Registering one adds {@code <id>/proc/...} and
 * {@code <id>/sys/...} (the directories of the {@link ContainerLayout}) under the mount root,
 * and the same with only its read-only files under the read-only root
 * ({@link NodeTable#readOnlyRoot}); unregistering removes both and tells the kernel to forget
 * the name.
 *
 * <p>Containers of one pod (one network namespace) share one {@link EmulationState}: a
 * container registered to share another's uses that one's, and the state lives until the last
 * of them is unregistered, whichever order they go in.
 *
 * <p>Every registration and state is written to the {@link RegistryJournal}, so that a
 * sysbox-fs restarted on the same FUSE connection {@link #restore restores} them: same node ids,
 * same uptime base, same sysctl values.
 */
public final class ContainerRegistry {
    /** Tells the kernel that a container's directory is gone from the roots of both trees (FUSE_NOTIFY_INVAL_ENTRY). */
    @FunctionalInterface
    public interface EntryInvalidator {
        void invalidate(String containerId);
    }

    /** Told when a state's sysctl values could not be written down (the values stay; a restart loses them). */
    @FunctionalInterface
    public interface JournalFailure {
        void failed(String what, IOException e);
    }

    /** What restore found: the containers served again, and those dropped with why. */
    public record Restored(List<String> containers, Map<String, String> dropped) {}

    private record Registered(ContainerState state, long nonce) {}

    /** An emulation state and the containers using it; guarded by the registry. */
    private static final class Shared {
        final EmulationState state;
        final List<String> members = new ArrayList<>();

        Shared(EmulationState state) {
            this.state = state;
        }
    }

    private final ContainerNodes nodes;
    private final EntryInvalidator invalidator;
    private final LongSupplier epochSeconds;
    private final RegistryJournal journal;
    private final JournalFailure journalFailure;
    private final ConcurrentHashMap<String, Registered> containers = new ConcurrentHashMap<>();
    /** By state nonce; guarded by this. */
    private final Map<Long, Shared> states = new HashMap<>();

    public ContainerRegistry(NodeTable table, ContainerLayout layout, EntryInvalidator invalidator,
                             LongSupplier epochSeconds) {
        this(table, layout, invalidator, epochSeconds, new RegistryJournal.None(), (what, e) -> {});
    }

    public ContainerRegistry(NodeTable table, ContainerLayout layout, EntryInvalidator invalidator,
                             LongSupplier epochSeconds, RegistryJournal journal, JournalFailure journalFailure) {
        this.nodes = new ContainerNodes(table, layout);
        this.invalidator = invalidator;
        this.epochSeconds = epochSeconds;
        this.journal = journal;
        this.journalFailure = journalFailure;
    }

    /** Registers {@code container} with an emulation state of its own. */
    public void register(Container container) throws AlreadyRegisteredException, IOException {
        register(container, Optional.empty());
    }

    /**
     * Starts emulating {@code container}'s files under {@code <mount>/<id>}, sharing the
     * emulation state of the registered container {@code shareWith} (its pod's first), or with
     * a state of its own when that one is not registered here.
     *
     * @return the state it uses
     * @throws IllegalArgumentException if the id cannot be a directory name
     * @throws IOException if its cgroup files cannot be opened, or its record cannot be written
     */
    public synchronized EmulationState register(Container container, Optional<String> shareWith)
            throws AlreadyRegisteredException, IOException {
        checkId(container.id());
        if (containers.containsKey(container.id())) throw new AlreadyRegisteredException(container.id());
        Shared shared = shareWith.map(containers::get).map(r -> states.get(r.state().emulation().nonce())).orElse(null);
        boolean fresh = shared == null;
        if (fresh) {
            shared = new Shared(newState(nonce(), container.id(), container.startBoottimeNanos(), Map.of()));
        }
        long nonce = nonce();
        ContainerState state = ContainerState.open(container, shared.state);
        try {
            if (fresh) journal.saveState(saved(shared.state));
            journal.saveContainer(saved(container, nonce, shared.state));
            nodes.link(state, nonce, epochSeconds.getAsLong());
        } catch (IOException | RuntimeException e) {
            closeQuietly(state);
            forgetRecords(container.id(), fresh ? shared.state.nonce() : null);
            throw e;
        }
        containers.put(container.id(), new Registered(state, nonce));
        shared.members.add(container.id());
        states.put(shared.state.nonce(), shared);
        return shared.state;
    }

    /**
     * Serves again what the journal holds (a previous sysbox-fs's containers, on the connection
     * it handed over): every state, and every container whose cgroups can still be opened. A
     * record that cannot be served (its container's cgroups are gone: it ended meanwhile) is
     * dropped, and so is a state no container uses any more.
     */
    public synchronized Restored restore() throws IOException {
        Map<Long, Shared> saved = new HashMap<>();
        for (SavedState s : journal.states()) {
            Map<String, SysctlValue> sysctls = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : s.getSysctlsMap().entrySet()) {
                sysctls.put(e.getKey(), SysctlValue.parse(e.getValue(), "saved value of " + e.getKey()));
            }
            saved.put(s.getNonce(), new Shared(newState(s.getNonce(), s.getOwnerId(), s.getStartBoottimeNs(), sysctls)));
        }
        List<String> restored = new ArrayList<>();
        Map<String, String> dropped = new LinkedHashMap<>();
        for (SavedContainer c : journal.containers()) {
            Shared shared = saved.get(c.getState());
            if (shared == null) {
                dropped.put(c.getId(), "its emulation state was not saved");
                journal.deleteContainer(c.getId());
                continue;
            }
            Map<String, Path> cgroups = new LinkedHashMap<>();
            c.getCgroupPathsMap().forEach((controller, dir) -> cgroups.put(controller, Path.of(dir)));
            Container container = new Container(c.getId(), c.getStartBoottimeNs(), cgroups, c.getPid(),
                    c.getRootUid(), c.getRootGid());
            ContainerState state;
            try {
                state = ContainerState.open(container, shared.state);
            } catch (IOException e) {
                dropped.put(c.getId(), e.getMessage());
                journal.deleteContainer(c.getId());
                continue;
            }
            try {
                nodes.link(state, c.getNonce(), epochSeconds.getAsLong());
            } catch (RuntimeException e) {
                closeQuietly(state);
                throw e;
            }
            containers.put(c.getId(), new Registered(state, c.getNonce()));
            shared.members.add(c.getId());
            restored.add(c.getId());
        }
        for (Shared shared : saved.values()) {
            if (shared.members.isEmpty()) journal.deleteState(shared.state.nonce());
            else states.put(shared.state.nonce(), shared);
        }
        return new Restored(restored, dropped);
    }

    /**
     * Removes the container's directory; returns whether it was registered. Its emulation state
     * goes with it unless another container of its pod still uses it.
     */
    public synchronized boolean unregister(String id) {
        Registered registered = containers.remove(id);
        if (registered == null) return false;
        nodes.unlink(id);
        // The kernel may have cached the name for the entry timeout; make it look again (and miss).
        invalidator.invalidate(id);
        closeQuietly(registered.state());
        long stateNonce = registered.state().emulation().nonce();
        Shared shared = states.get(stateNonce);
        shared.members.remove(id);
        boolean last = shared.members.isEmpty();
        if (last) states.remove(stateNonce);
        forgetRecords(id, last ? stateNonce : null);
        return true;
    }

    /** Unregisters every container (the file system is going away). */
    public synchronized void clear() {
        for (String id : List.copyOf(containers.keySet())) unregister(id);
    }

    public Optional<Container> find(String id) {
        return Optional.ofNullable(containers.get(id)).map(r -> r.state().container());
    }

    /** The emulation state {@code id} uses, if it is registered. */
    public Optional<EmulationState> stateOf(String id) {
        return Optional.ofNullable(containers.get(id)).map(r -> r.state().emulation());
    }

    /** How many emulation states exist (one per pod). */
    public synchronized int stateCount() {
        return states.size();
    }

    public List<Container> containers() {
        return containers.values().stream().map(r -> r.state().container()).toList();
    }

    private EmulationState newState(long nonce, String ownerId, long startBoottimeNanos,
                                    Map<String, SysctlValue> sysctls) {
        SysctlStore store = new SysctlStore(sysctls, changed -> saveChanged(nonce, ownerId, startBoottimeNanos, changed));
        return new EmulationState(nonce, ownerId, startBoottimeNanos, store);
    }

    /**
     * A state's sysctl values changed (from a serving thread): written down at once, so a value a
     * container wrote survives a crash right after. The values are taken under the store's lock,
     * so of two racing writers the later file holds both changes.
     */
    private void saveChanged(long nonce, String ownerId, long startBoottimeNanos, SysctlStore store) {
        synchronized (store) {
            try {
                journal.saveState(saved(nonce, ownerId, startBoottimeNanos, store));
            } catch (IOException e) {
                journalFailure.failed("the sysctl values of " + ownerId + "'s emulation state", e);
            }
        }
    }

    private static SavedState saved(EmulationState state) {
        return saved(state.nonce(), state.ownerId(), state.startBoottimeNanos(), state.sysctls());
    }

    private static SavedState saved(long nonce, String ownerId, long startBoottimeNanos, SysctlStore store) {
        SavedState.Builder saved = SavedState.newBuilder().setNonce(nonce).setOwnerId(ownerId)
                .setStartBoottimeNs(startBoottimeNanos);
        store.snapshot().forEach((path, value) ->
                saved.putSysctls(path, new String(value.render(), StandardCharsets.US_ASCII)));
        return saved.build();
    }

    private static SavedContainer saved(Container container, long nonce, EmulationState state) {
        SavedContainer.Builder saved = SavedContainer.newBuilder().setId(container.id()).setPid(container.pid())
                .setRootUid(container.rootUid()).setRootGid(container.rootGid()).setNonce(nonce).setState(state.nonce())
                .setStartBoottimeNs(container.startBoottimeNanos());
        container.cgroups().forEach((controller, dir) -> saved.putCgroupPaths(controller, dir.toString()));
        return saved.build();
    }

    private void forgetRecords(String id, Long stateNonce) {
        try {
            journal.deleteContainer(id);
            if (stateNonce != null) journal.deleteState(stateNonce);
        } catch (IOException e) {
            // A stale record is dropped by the next restore, which finds its container's cgroups gone.
            journalFailure.failed("the record of container " + id, e);
        }
    }

    /** Fresh for every registration and state: node ids and saved states are derived from it. */
    private static long nonce() {
        return ThreadLocalRandom.current().nextLong();
    }

    private static void closeQuietly(ContainerState state) {
        try {
            state.close();
        } catch (IOException e) {
            // Read-only descriptors: closing them cannot lose anything.
        }
    }

    private static void checkId(String id) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("container id is empty");
        if (id.equals(".") || id.equals("..") || id.indexOf('/') >= 0 || id.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("container id '" + id + "' cannot name a directory: it must not be"
                    + " '.' or '..' nor contain '/' or NUL");
        }
        if (id.equals(NodeTable.READ_ONLY_DIRECTORY)) {
            throw new IllegalArgumentException("container id '" + id + "' is the directory the read-only tree is"
                    + " mounted on; give the container another id");
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("container id '" + id + "' is longer than 255 bytes");
        }
    }
}
