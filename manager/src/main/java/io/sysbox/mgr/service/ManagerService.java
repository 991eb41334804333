package io.sysbox.mgr.service;

import io.sysbox.common.proto.BindMount;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.ContainerInfo;
import io.sysbox.common.proto.ListPodRangesResponse;
import io.sysbox.common.proto.ListResponse;
import io.sysbox.common.proto.PodRange;
import io.sysbox.common.proto.PodRef;
import io.sysbox.common.proto.ReleasePodRangeResponse;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.PreparedMount;
import io.sysbox.common.proto.ReleaseResponse;
import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.PidFd;
import io.sysbox.mgr.idmap.AtimeAttributes;
import io.sysbox.mgr.idmap.IdmapUnsupportedException;
import io.sysbox.mgr.idmap.IdmappedMount;
import io.sysbox.mgr.emulation.Emulation;
import io.sysbox.mgr.idmap.UserNamespaceCache;
import io.sysbox.mgr.locks.ContainerLocks;
import io.sysbox.mgr.specialdirs.SourceInUseException;
import io.sysbox.mgr.specialdirs.SpecialDirs;
import io.sysbox.mgr.specialdirs.SpecialDirsConfig;
import io.sysbox.mgr.specialdirs.SpecialMount;
import io.sysbox.mgr.specialdirs.UserMount;
import io.sysbox.mgr.idmap.UserNamespaceFile;
import io.sysbox.mgr.idmap.OwnedNamespace;
import io.sysbox.mgr.idrange.AllocationRecord;
import io.sysbox.mgr.idrange.AllocationRecord.Origin;
import io.sysbox.mgr.idrange.AllocationRecord.ShiftedMount;
import io.sysbox.mgr.idrange.AllocationRecord.ShiftedOverlay;
import io.sysbox.mgr.idrange.AllocationRecord.Watch;
import io.sysbox.mgr.idrange.AllocationStore;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.PoolExhaustedException;
import io.sysbox.mgr.idrange.RangeAllocator;
import io.sysbox.mgr.idrange.RangeInUseException;
import io.sysbox.mgr.mounts.BindMountPolicy;
import io.sysbox.mgr.pods.PodRangeRecord;
import io.sysbox.mgr.pods.PodRangeStore;
import io.sysbox.mgr.pods.PodRanges;
import io.sysbox.mgr.mounts.MountPolicyException;
import io.sysbox.mgr.mounts.ForeignNetwork;
import io.sysbox.mgr.network.PodNamespaceHandover;
import io.sysbox.mgr.rootfs.IdShift;
import io.sysbox.mgr.rootfs.OverlayLayers;
import io.sysbox.mgr.rootfs.OverlayMountTable;
import io.sysbox.mgr.rootfs.OverlayRootfsException;
import io.sysbox.mgr.rootfs.OverlayRootfsShifter;
import io.sysbox.setup.cgroup.CreatedCgroups;
import io.sysbox.setup.resources.EmulatedTree;
import io.sysbox.setup.state.PrivateDir;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The manager's work, independent of the transport: Prepare gives a container its ids
 * (allocated, honoured or shared) and ID-shifted views of its rootfs and bind mounts; Release
 * takes them back. Calls for one container are serialized; different containers proceed in
 * parallel.
 */
public final class ManagerService implements AutoCloseable {
    private final ConfigResponse config;
    private final RangeAllocator allocator;
    private final AllocationStore store;
    private final BindMountPolicy policy;
    private final ShiftedDirs shifted;
    private final PidWatcher watcher;
    private final UserNamespaceCache namespacesAhead;
    private final SpecialDirs specialDirs;
    private final Emulation emulation;
    private final PodRanges podRanges;
    private final Logger log;
    private final ContainerLocks locks = new ContainerLocks();
    private final ConcurrentHashMap<String, AllocationRecord> states = new ConcurrentHashMap<>();
    /**
     * Guards "look up a container's mapping and reserve it" (share_with) against "forget a
     * container and free its mapping" (release), so a shared range cannot be freed in between.
     */
    private final Object mappings = new Object();

    public ManagerService(Path dataRoot, ConfigResponse config, RangeAllocator allocator, AllocationStore store,
                          BindMountPolicy policy, Logger log) throws IOException {
        this(dataRoot, config, allocator, store, policy, true, new Emulation.None(), log);
    }

    /**
     * @param innerImagePreload copy inner images of the image into the special dirs (SPEC §5)
     * @param emulation         who emulates containers' /proc and /sys files (sysbox-fs)
     */
    public ManagerService(Path dataRoot, ConfigResponse config, RangeAllocator allocator, AllocationStore store,
                          BindMountPolicy policy, boolean innerImagePreload, Emulation emulation, Logger log)
            throws IOException {
        this.emulation = emulation;
        this.podRanges = new PodRanges(allocator, new PodRangeStore(dataRoot.resolve("podranges")));
        this.specialDirs = new SpecialDirs(new SpecialDirsConfig(dataRoot.toRealPath(), innerImagePreload), log);
        this.config = config;
        this.allocator = allocator;
        this.store = store;
        this.policy = policy;
        this.shifted = new ShiftedDirs(dataRoot.toRealPath());
        this.watcher = new PidWatcher(log);
        this.namespacesAhead = new UserNamespaceCache(log);
        this.log = log;
    }

    /**
     * Takes over from a previous manager: reserves every recorded mapping, undoes a Prepare that
     * died half-way (its clones, and the upper layer it had started to lend), and resumes (or
     * settles) watches of foreground runs.
     */
    public void restore() throws IOException {
        List<AllocationRecord> records = new ArrayList<>();
        for (AllocationRecord record : store.loadAll()) {
            if (record.pending()) {
                try (ContainerLocks.Held held = locks.lock(record.id())) {
                    dismantle(record);
                    log.info("undid the Prepare of container {} that a previous manager left half-done{}", record.id(),
                            record.overlay() == null ? "" : "; gave back its upper layer " + record.overlay().upperDir());
                    continue;
                } catch (IOException e) {
                    // Kept as if prepared: its ids stay reserved, and Release (or a new Prepare) retries.
                    log.error("cannot undo the half-done Prepare of container {}: {}", record.id(), e.getMessage());
                }
            }
            records.add(record);
        }
        for (AllocationRecord record : records) {
            allocator.reserve(record.mapping());
            states.put(record.id(), record);
        }
        int pods = podRanges.restore();
        if (pods > 0) log.info("restored {} pod range reservations", pods);
        for (String id : shifted.ids()) {
            if (states.containsKey(id)) continue;
            try (ContainerLocks.Held held = locks.lock(id)) {
                if (states.containsKey(id)) continue;
                shifted.clean(id);
                log.info("removed the mounts of container {}: its Prepare never completed", id);
            }
        }
        specialDirs.restore(states.keySet());
        for (AllocationRecord record : records) {
            if (record.watch() != null) resumeWatch(record);
        }
        if (!records.isEmpty()) {
            log.info("restored {} containers ({} ranges in use, watching {} processes)", states.size(),
                    allocator.inUse(), watcher.watching());
        }
    }

    public ConfigResponse config() {
        return config;
    }

    public PrepareResponse prepare(PrepareRequest request) throws ServiceException {
        String id = ContainerIds.check(request.getId());
        Path rootfs = checkRootfs(id, request.getRootfs());
        Optional<ContainerMapping> honoured =
                HonouredMappings.of(id, request.getUidMappingsList(), request.getGidMappingsList());
        try (ContainerLocks.Held held = locks.lock(id)) {
            Optional<ContainerMapping> previous = Optional.empty();
            AllocationRecord old = states.get(id);
            if (old != null) {
                checkReplaceable(old);
                if (old.origin() == Origin.ALLOCATED && old.shareWith() == null) previous = Optional.of(old.mapping());
                releaseLocked(old, "a new Prepare replaces the state of a previous attempt");
            } else {
                cleanLeftovers(id);
            }
            PidFd pidfd = null;
            Watch watch = null;
            if (request.getWatchPid() != 0) {
                pidfd = openWatch(id, request.getWatchPid());
                long startTime = ProcessStat.of(request.getWatchPid()).map(ProcessStat::startTime).orElse(0L);
                watch = new Watch(request.getWatchPid(), startTime, request.getRuntimeStateDir(),
                        request.getRuntimePrivateDir());
            }
            try {
                PrepareResponse response = prepareLocked(id, rootfs, honoured, previous, request, watch);
                if (pidfd != null) {
                    AllocationRecord record = states.get(id);
                    watcher.watch(id, pidfd, () -> onWatchedExit(record));
                    pidfd = null;
                }
                prepareNextNamespace();
                return response;
            } finally {
                if (pidfd != null) pidfd.close();
            }
        }
    }

    private PrepareResponse prepareLocked(String id, Path rootfs, Optional<ContainerMapping> honoured,
                                          Optional<ContainerMapping> previous, PrepareRequest request,
                                          Watch watch) throws ServiceException {
        Origin origin;
        ContainerMapping mapping;
        String shareWith = request.getShareWith().isEmpty() ? null : request.getShareWith();
        if (request.getOciHooks() && (honoured.isEmpty() || shareWith != null)) {
            throw new InvalidRequestException("container " + id + " runs with sysbox's OCI hooks, so it must bring"
                    + " its own uid and gid mappings" + (shareWith == null ? "" : " and share no other container's"));
        }
        if (shareWith != null) {
            AllocationRecord owner = reserveShared(id, shareWith, honoured);
            origin = owner.origin();
            mapping = owner.mapping();
        } else if (honoured.isPresent()) {
            origin = Origin.HONOURED;
            mapping = honoured.get();
            if (request.getOciHooks()) reserveExclusive(id, mapping);
            else reserveHonoured(id, mapping, request.getJoinedUsernsPid());
        } else if (reservedFor(request.getPod()).isPresent()) {
            // The pod's sandbox: the range sysbox-cri reserved for the pod (one more reference on it).
            origin = Origin.RESERVED;
            mapping = reservedFor(request.getPod()).get().mapping();
            allocator.reserve(mapping);
        } else {
            origin = Origin.ALLOCATED;
            try {
                mapping = allocator.allocate(previous);
            } catch (PoolExhaustedException e) {
                throw new PreconditionFailedException(e.getMessage(), e);
            }
        }
        boolean recorded = false;
        ShiftedOverlay lent = null;
        try (LazyUserNamespace userns = new LazyUserNamespace(mapping, namespacesAhead)) {
            shifted.create(id, mapping.gid());
            String rootfsPath;
            // OCI hooks: the rootfs is not looked at (Podman's overlay names its layers relative to its storage).
            Optional<OverlayLayers> overlay = request.getOciHooks() ? Optional.empty() : OverlayMountTable.at(rootfs);
            if (request.getOciHooks() || ownedByContainer(rootfs, mapping)) {
                // OCI hooks: the runtime mounts the rootfs itself, before any hook runs. Otherwise
                // already shifted on disk (userns-remap chowns the image for its user): used as it is.
                rootfsPath = rootfs.toString();
            } else if (overlay.isPresent()) {
                OverlayLayers layers = overlay.get();
                IdShift toHost = IdShift.toHost(mapping);
                Path target = shifted.rootfsOf(id);
                if (layers.upperDir() != null) {
                    lent = new ShiftedOverlay(layers.lowerDirs().stream().map(Path::toString).toList(),
                            layers.upperDir().toString(), layers.workDir().toString());
                    // Durable before the upper layer changes owner: whatever happens next, a manager gives it back.
                    store.save(new AllocationRecord(id, origin, mapping.uid(), mapping.gid(), shareWith,
                            target.toString(), List.of(), watch, lent, true));
                }
                shifted.createLowers(id);
                OverlayRootfsShifter.mount(layers, toHost, userns.get(), i -> shifted.lowerOf(id, i), target);
                rootfsPath = target.toString();
            } else {
                rootfsPath = shiftDirectoryRootfs(id, rootfs, userns);
            }
            BindMountPolicy.Container container = new BindMountPolicy.Container(mapping, origin == Origin.HONOURED,
                    new HashSet<>(request.getSkipUidShiftList()));
            List<ShiftedMount> clones = new ArrayList<>();
            PrepareResponse.Builder response = PrepareResponse.newBuilder();
            for (BindMount bind : request.getBindMountsList()) {
                String source = shiftBind(id, bind, container, userns);
                if (source != null) clones.add(new ShiftedMount(bind.getIndex(), source));
                response.addMounts(PreparedMount.newBuilder().setIndex(bind.getIndex())
                        .setSource(source == null ? "" : source));
            }
            List<SpecialMount> specials = request.getOciHooks() ? List.of()
                    : specialDirs.prepare(id, rootfs, mapping, userMounts(request)).mounts();
            for (SpecialMount special : specials) {
                response.addSpecialMounts(io.sysbox.common.proto.SpecialMount.newBuilder()
                        .setSource(special.source().toString()).setDestination(special.destination()));
            }
            AllocationRecord record = new AllocationRecord(id, origin, mapping.uid(), mapping.gid(), shareWith,
                    rootfsPath, clones, watch, lent, false);
            store.save(record);
            states.put(id, record);
            recorded = true;
            log.info("prepared container {}: {} ({}), rootfs {}{}, {} of {} bind mounts shifted{}", id, mapping,
                    shareWith == null ? origin.name().toLowerCase() : "shared with " + shareWith, rootfsPath,
                    lent == null ? "" : " (overlay, upper layer " + lent.upperDir() + " lent)", clones.size(),
                    request.getBindMountsCount(), watch == null ? "" : ", watching pid " + watch.pid());
            return response.setUidMapping(Protos.mapping(mapping.uid())).setGidMapping(Protos.mapping(mapping.gid()))
                    .setRootfs(rootfsPath).setConfig(config).build();
        } catch (OverlayRootfsException | SourceInUseException e) {
            throw new PreconditionFailedException("container " + id + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PreconditionFailedException("cannot prepare container " + id + ": " + e.getMessage(), e);
        } finally {
            if (!recorded) undoPrepare(id, mapping, lent);
        }
    }

    private Optional<PodRangeRecord> reservedFor(PodRef pod) {
        return podRanges.find(pod.getUid(), pod.getNamespace(), pod.getName());
    }

    /** sysbox-cri's reservation of a range for a pod before its sandbox exists (same range when asked again). */
    public PodRange reservePodRange(PodRef pod) throws ServiceException {
        try {
            PodRangeRecord record = podRanges.reserve(pod.getUid(), pod.getNamespace(), pod.getName());
            log.info("pod {}/{} (uid {}) has range {}", record.podNamespace(), record.podName(), record.podUid(),
                    record.mapping());
            prepareNextNamespace();
            return podRange(record);
        } catch (PodRanges.InvalidPodException e) {
            throw new InvalidRequestException(e.getMessage());
        } catch (PoolExhaustedException e) {
            throw new PreconditionFailedException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PreconditionFailedException("cannot record the range of pod " + pod.getUid() + ": "
                    + e.getMessage(), e);
        }
    }

    public ReleasePodRangeResponse releasePodRange(String podUid) throws ServiceException {
        try {
            boolean existed = podRanges.release(podUid);
            if (existed) {
                log.info("released the range reservation of pod {}", podUid);
                prepareNextNamespace();
            }
            return ReleasePodRangeResponse.newBuilder().setExisted(existed).build();
        } catch (IOException e) {
            throw new PreconditionFailedException("cannot remove the range reservation of pod " + podUid + ": "
                    + e.getMessage() + "; it is kept, so the release can be retried", e);
        }
    }

    public ListPodRangesResponse listPodRanges() {
        ListPodRangesResponse.Builder response = ListPodRangesResponse.newBuilder();
        podRanges.list().forEach(r -> response.addRanges(podRange(r)));
        return response.build();
    }

    private static PodRange podRange(PodRangeRecord record) {
        return PodRange.newBuilder()
                .setPod(PodRef.newBuilder().setUid(record.podUid()).setNamespace(record.podNamespace())
                        .setName(record.podName()))
                .setUidMapping(Protos.mapping(record.uid())).setGidMapping(Protos.mapping(record.gid())).build();
    }

    /**
     * Reserves a mapping a sysbox-runc container brought. It may be exactly the one other containers
     * brought or a pod holds (Docker's userns-remap gives all its containers one mapping, a CRI pod's
     * containers bring the pod's), but it may not reach into a range the pool handed to one
     * container, nor cut across any other mapping: those ids are another container's alone. A
     * container that joins the user namespace of process JOINED_PID (--net=container:X, a pod's
     * containers) brings that namespace's mapping, which may be exactly a range the pool handed out:
     * it is that container's own namespace when the process's uid_map and gid_map say so.
     */
    private void reserveHonoured(String id, ContainerMapping mapping, long joinedPid) throws PreconditionFailedException {
        boolean joinsIt = joinedPid > 0 && JoinedUserNamespace.hasMapping(id, joinedPid, mapping);
        Optional<String> clash = states.values().stream()
                .filter(r -> !r.id().equals(id) && touches(r.mapping(), mapping)
                        && (r.origin() == Origin.ALLOCATED && !joinsIt || !r.mapping().equals(mapping)))
                .map(r -> "container " + r.id() + " (" + r.mapping() + ")").findFirst()
                .or(() -> podRanges.list().stream()
                        .filter(r -> touches(r.mapping(), mapping) && !r.mapping().equals(mapping))
                        .map(r -> "pod " + r.podNamespace() + "/" + r.podName() + " (" + r.mapping() + ")").findFirst());
        if (clash.isPresent()) {
            throw new PreconditionFailedException("container " + id + ": its mapping (" + mapping + ") overlaps the ids of "
                    + clash.get() + "; give it a range outside every other container's, or no mapping to get one from sysbox");
        }
        allocator.reserve(mapping);
    }

    private static boolean touches(ContainerMapping a, ContainerMapping b) {
        return a.uid().overlaps(b.uid().hostId(), b.uid().end()) || a.gid().overlaps(b.gid().hostId(), b.gid().end());
    }

    /** Reserves a mapping the container brought that must overlap nobody's (OCI hooks mode). */
    private void reserveExclusive(String id, ContainerMapping mapping) throws PreconditionFailedException {
        try {
            allocator.reserveExclusive(mapping);
        } catch (RangeInUseException e) {
            String holder = states.values().stream().filter(r -> r.mapping().equals(e.inUse()))
                    .map(r -> "container " + r.id()).findFirst()
                    .or(() -> podRanges.list().stream().filter(r -> r.mapping().equals(e.inUse()))
                            .map(r -> "pod " + r.podNamespace() + "/" + r.podName()).findFirst())
                    .orElse("another container");
            throw new PreconditionFailedException("container " + id + ": its mapping (" + mapping + ") overlaps the ids of "
                    + holder + " (" + e.inUse() + "); give it a range of its own, outside every other container's", e);
        }
    }

    /** The record whose mapping id now shares (one more reference on it). */
    private AllocationRecord reserveShared(String id, String shareWith, Optional<ContainerMapping> honoured)
            throws ServiceException {
        ContainerIds.check(shareWith);
        synchronized (mappings) {
            AllocationRecord owner = states.get(shareWith);
            if (owner == null) {
                throw new PreconditionFailedException("container " + id + " cannot share the user namespace of "
                        + shareWith + ": the manager holds no state for " + shareWith + " (prepare it first)");
            }
            if (honoured.isPresent() && !honoured.get().equals(owner.mapping())) {
                throw new InvalidRequestException("container " + id + " asks to share the user namespace of "
                        + shareWith + " (" + owner.mapping() + ") but brings different mappings (" + honoured.get() + ")");
            }
            allocator.reserve(owner.mapping());
            return owner;
        }
    }

    /** Whether the rootfs (a directory, or an overlay's merged root) already belongs to the container's ids. */
    private static boolean ownedByContainer(Path rootfs, ContainerMapping mapping) throws IOException {
        long owner = Integer.toUnsignedLong((Integer) Files.getAttribute(rootfs, "unix:uid"));
        return mapping.uid().contains(owner);
    }

    private String shiftDirectoryRootfs(String id, Path rootfs, LazyUserNamespace userns)
            throws IOException, ServiceException {
        Path target = shifted.rootfsOf(id);
        try {
            IdmappedMount.attach(rootfs, target, userns.get(), false);
        } catch (IdmapUnsupportedException e) {
            throw new PreconditionFailedException("cannot ID-shift the rootfs of container " + id + ": " + e.getMessage()
                    + "; a directory rootfs must be on a filesystem with idmapped-mount support (ext4, xfs, btrfs,"
                    + " tmpfs)", e);
        }
        return target.toString();
    }

    /** The clone to mount instead of the bind's source, or null to keep the source. */
    private String shiftBind(String id, BindMount bind, BindMountPolicy.Container container, LazyUserNamespace userns)
            throws IOException, ServiceException {
        if (bind.getSource().isEmpty() || !bind.getSource().startsWith("/")) {
            throw new InvalidRequestException("bind mount " + bind.getIndex() + " (destination " + bind.getDestination()
                    + ") of container " + id + " has source '" + bind.getSource() + "'; an absolute path is required");
        }
        boolean recursive = bind.getOptionsList().contains("rbind");
        BindMountPolicy.BindSource source = new BindMountPolicy.BindSource(bind.getIndex(), Path.of(bind.getSource()),
                bind.getDestination(), recursive);
        BindMountPolicy.Outcome outcome;
        try {
            outcome = policy.apply(source, container, shifted.mountOf(id, bind.getIndex()),
                    (from, to, rec) -> IdmappedMount.attach(from, to, userns.get(), rec,
                            AtimeAttributes.of(bind.getOptionsList())));
        } catch (MountPolicyException e) {
            throw new PreconditionFailedException(e.getMessage(), e);
        }
        return switch (outcome) {
            case BindMountPolicy.Shifted shiftedMount -> shiftedMount.source().toString();
            case BindMountPolicy.Unshifted unshifted -> {
                log.debug("container {}: bind mount {} -> {} not shifted: {}", id, bind.getSource(),
                        bind.getDestination(), unshifted.detail());
                yield null;
            }
        };
    }

    private void undoPrepare(String id, ContainerMapping mapping, ShiftedOverlay lent) {
        try {
            shifted.clean(id);
            if (lent != null) {
                giveBack(id, lent, mapping);
                store.delete(id);
            }
        } catch (IOException e) {
            // The pending record stays (when it got written): the next manager start finishes the job.
            log.error("container {}: cannot undo a failed Prepare: {}", id, e.getMessage());
        }
        synchronized (mappings) {
            allocator.free(mapping);
        }
    }

    public ReleaseResponse release(String id) throws ServiceException {
        ContainerIds.check(id);
        try (ContainerLocks.Held held = locks.lock(id)) {
            AllocationRecord record = states.get(id);
            if (record == null) {
                cleanLeftovers(id);
                return ReleaseResponse.newBuilder().setExisted(false).build();
            }
            releaseLocked(record, "released on request");
            return ReleaseResponse.newBuilder().setExisted(true).build();
        }
    }

    public ListResponse list() {
        List<AllocationRecord> records = new ArrayList<>(states.values());
        records.sort(Comparator.comparing(AllocationRecord::id));
        ListResponse.Builder response = ListResponse.newBuilder();
        for (AllocationRecord record : records) {
            response.addContainers(ContainerInfo.newBuilder().setId(record.id())
                    .setUidMapping(Protos.mapping(record.uid())).setGidMapping(Protos.mapping(record.gid()))
                    .setRootfs(record.rootfs() == null ? "" : record.rootfs())
                    .addAllMounts(record.mounts().stream().map(ShiftedMount::source).toList()));
        }
        return response.build();
    }

    /** Unmounts and forgets a container; the caller holds its lock. The mounts go first: while they stand, so does the record. */
    private void releaseLocked(AllocationRecord record, String why) throws PreconditionFailedException {
        String id = record.id();
        watcher.cancel(id);
        try {
            dismantle(record);
        } catch (IOException e) {
            throw new PreconditionFailedException("cannot release container " + id + ": " + e.getMessage()
                    + "; its state is kept, so Release can be retried", e);
        }
        stopSpecialDirs(id);
        emulation.unregister(id);
        boolean freed;
        synchronized (mappings) {
            states.remove(id, record);
            allocator.free(record.mapping());
            freed = allocator.references(record.mapping()) == 0;
        }
        log.info("released container {} ({}): {}{}", id, record.mapping(), why,
                freed ? "" : "; its ids stay with the containers sharing them");
        if (freed) prepareNextNamespace();
    }

    /**
     * Unmounts what was made for a container and gives back its upper layer, then forgets its
     * record; the caller holds its lock. The record goes last: until then a retry (or the next
     * manager) can finish the job.
     */
    private void dismantle(AllocationRecord record) throws IOException {
        shifted.clean(record.id());
        if (record.overlay() != null) giveBack(record.id(), record.overlay(), record.mapping());
        store.delete(record.id());
    }

    private void giveBack(String id, ShiftedOverlay lent, ContainerMapping mapping) throws IOException {
        long changed = OverlayRootfsShifter.giveBack(Path.of(lent.upperDir()), Path.of(lent.workDir()),
                IdShift.toHost(mapping));
        log.debug("container {}: gave back upper layer {} ({} entries changed owner)", id, lent.upperDir(), changed);
    }

    private void cleanLeftovers(String id) throws PreconditionFailedException {
        try {
            shifted.clean(id);
        } catch (IOException e) {
            throw new PreconditionFailedException("cannot remove leftover mounts of container " + id + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * A Prepare for an id the manager already holds is a re-creation after a failed or
     * forgotten attempt, unless the container evidently still exists: its watched process is
     * running, or the low-level runtime still has its state.
     */
    private void checkReplaceable(AllocationRecord old) throws PreconditionFailedException {
        Watch watch = old.watch();
        if (watch == null) return;
        if (ProcessStat.running(watch.pid(), watch.startTime())) {
            throw new PreconditionFailedException("container " + old.id() + " is already prepared and its process (pid "
                    + watch.pid() + ") is still running; delete it first");
        }
        if (runtimeStateExists(watch)) {
            throw new PreconditionFailedException("container " + old.id() + " already exists: the low-level runtime"
                    + " still has its state in " + watch.runtimeStateDir() + "; delete it first");
        }
    }

    private PidFd openWatch(String id, int pid) throws PreconditionFailedException {
        try {
            return PidFd.open(pid);
        } catch (ErrnoException e) {
            throw new PreconditionFailedException("cannot watch process " + pid + " of container " + id + ": "
                    + e.getMessage(), e);
        }
    }

    private void resumeWatch(AllocationRecord record) {
        Watch watch = record.watch();
        PidFd pidfd = null;
        if (ProcessStat.running(watch.pid(), watch.startTime())) {
            try {
                pidfd = PidFd.open(watch.pid());
                // The pidfd pins the pid: if the start time still matches, it is the same process.
                if (!ProcessStat.running(watch.pid(), watch.startTime())) {
                    pidfd.close();
                    pidfd = null;
                }
            } catch (ErrnoException e) {
                pidfd = null;
            }
        }
        if (pidfd != null) watcher.watch(record.id(), pidfd, () -> onWatchedExit(record));
        else onWatchedExit(record);
    }

    /** The watched process of record has exited: release it unless the low-level runtime still has it. */
    private void onWatchedExit(AllocationRecord record) {
        try (ContainerLocks.Held held = locks.lock(record.id())) {
            // Identity, not equality: a re-Prepare since then made a new record that is not ours to release.
            if (states.get(record.id()) != record) return;
            Watch watch = record.watch();
            if (runtimeStateExists(watch)) {
                log.debug("container {}: process {} exited but {} remains; keeping its state until Release",
                        record.id(), watch.pid(), watch.runtimeStateDir());
                return;
            }
            releaseLocked(record, "its process " + watch.pid() + " exited and the runtime state "
                    + (watch.runtimeStateDir().isEmpty() ? "(none given)" : watch.runtimeStateDir()) + " is gone");
            removeWhatTheRunLeft(watch.runtimePrivateDir());
        } catch (PreconditionFailedException e) {
            log.error(e.getMessage());
        }
    }

    /**
     * A foreground run whose runc failed before making its state leaves the cgroups the setup
     * made ahead of runc (runc removes only those of containers it knew): empty ones go now.
     */
    /**
     * The runtime became runc and is gone when a foreground run ends: the cgroups made ahead of
     * runc and the runtime's private directory are removed here instead (a relative or root path
     * is not one the runtime gives, so nothing is touched).
     */
    private void removeWhatTheRunLeft(String privateDir) {
        if (privateDir == null || privateDir.isEmpty()) return;
        Path dir = Path.of(privateDir);
        if (!dir.isAbsolute() || dir.getNameCount() < 2) return;
        try {
            CreatedCgroups.removeRemembered(dir);
        } catch (IOException e) {
            log.warn("removing the cgroups made for {}: {}", privateDir, e.getMessage());
        }
        try {
            PrivateDir.remove(dir);
        } catch (IOException e) {
            log.warn("removing runtime directory {}: {}", privateDir, e.getMessage());
        }
    }

    private static boolean runtimeStateExists(Watch watch) {
        return watch.runtimeStateDir() != null && !watch.runtimeStateDir().isEmpty()
                && Files.exists(Path.of(watch.runtimeStateDir()));
    }

    private static Path checkRootfs(String id, String rootfs) throws ServiceException {
        if (rootfs.isEmpty() || !rootfs.startsWith("/")) {
            throw new InvalidRequestException("container " + id + ": rootfs '" + rootfs
                    + "' must be an absolute path to the bundle's root filesystem");
        }
        Path path = Path.of(rootfs);
        if (!Files.isDirectory(path)) {
            throw new PreconditionFailedException("container " + id + ": rootfs " + rootfs
                    + " is not a directory (or does not exist)");
        }
        // The setup refuses these first (RootfsLocation); a direct gRPC caller gets the same answer.
        try {
            if (path.toRealPath().getNameCount() == 0) {
                throw new InvalidRequestException("container " + id + ": rootfs " + rootfs + " is the host's root"
                        + " directory: the container's root would own every file of the host");
            }
        } catch (IOException e) {
            throw new PreconditionFailedException("container " + id + ": rootfs " + rootfs + " cannot be resolved: "
                    + e.getMessage(), e);
        }
        return path;
    }

    /** The spec's bind and volume mounts, for the special dirs they replace. */
    private static List<UserMount> userMounts(PrepareRequest request) {
        return request.getBindMountsList().stream()
                .map(b -> new UserMount(Path.of(b.getSource()), b.getDestination())).toList();
    }

    /**
     * The runtime deleted the container (Docker: at every stop): its inner state goes back into
     * its rootfs for docker commit, after the upper layer is given back; the special dirs go
     * too unless the container may start again (a Docker layer, removed when the layer goes).
     */
    private void stopSpecialDirs(String id) {
        try {
            specialDirs.stopped(id, null, true);
            if (!specialDirs.isWatched(id)) specialDirs.removed(id);
        } catch (IOException e) {
            log.error("container {}: {}", id, e.getMessage());
        }
    }

    /**
     * Sets up the network namespace NETNS that container id joins without owning it (see
     * ForeignNetwork): a sysfs of it, for the spec to bind at /sys (it goes with the container's
     * other mounts at Release), and its net.* SYSCTLS.
     */
    public Path prepareForeignNetwork(String id, Path netns, Map<String, String> sysctls) throws ServiceException {
        ContainerIds.check(id);
        try (ContainerLocks.Held held = locks.lock(id)) {
            if (!states.containsKey(id)) {
                throw new PreconditionFailedException("container " + id + " is not prepared: its sysfs is mounted"
                        + " after Prepare");
            }
            Path target = shifted.sysfsOf(id);
            try {
                ForeignNetwork.prepare(netns, target, sysctls);
            } catch (IOException | IllegalArgumentException e) {
                throw new PreconditionFailedException("container " + id + ": " + e.getMessage(), e);
            }
            log.debug("container {}: sysfs of network namespace {} at {}", id, netns, target);
            return target;
        }
    }

    /**
     * Gives CRI sandbox id namespaces its pod owns in place of the runtime's RUNTIME_FILES (see
     * PodNamespaceHandover): returns the user namespace and the namespace files the sandbox joins.
     * The files in the container's directory go with its other mounts at Release.
     */
    public PodNamespaceHandover.Handed handOverPodNamespaces(String id, Map<OwnedNamespace, Path> runtimeFiles)
            throws ServiceException {
        ContainerIds.check(id);
        try (ContainerLocks.Held held = locks.lock(id)) {
            AllocationRecord record = states.get(id);
            if (record == null) {
                throw new PreconditionFailedException("container " + id + " is not prepared: its pod's namespaces are"
                        + " handed over after Prepare");
            }
            try {
                PodNamespaceHandover.Handed handed = PodNamespaceHandover.handOver(runtimeFiles, shifted.networkOf(id),
                        new ContainerMapping(record.uid(), record.gid()));
                log.info("container {}: pod namespaces {} handed over to namespaces the pod owns", id, runtimeFiles);
                return handed;
            } catch (IOException e) {
                throw new PreconditionFailedException("container " + id + ": handing over the pod's namespaces "
                        + runtimeFiles.values() + ": " + e.getMessage(), e);
            }
        }
    }

    /** See Emulation.register: the runtime's setup asks for it once the container's cgroups exist. */
    public Optional<EmulatedTree> emulate(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                  Optional<String> shareStateWith) throws IOException {
        return emulation.register(id, cgroupDirs, rootUid, rootGid, shareStateWith);
    }

    @Override
    public void close() {
        emulation.close();
        specialDirs.close();
        watcher.close();
        namespacesAhead.close();
    }

    /** After a change of the allocations, make the next container's user namespace ahead. */
    private void prepareNextNamespace() {
        allocator.peekNext().ifPresent(namespacesAhead::prepareAhead);
    }

    /** A user namespace obtained only when something needs shifting, closed once the mounts hold it. */
    private static final class LazyUserNamespace implements AutoCloseable {
        private final ContainerMapping mapping;
        private final UserNamespaceCache cache;
        private UserNamespaceFile file;

        LazyUserNamespace(ContainerMapping mapping, UserNamespaceCache cache) {
            this.mapping = mapping;
            this.cache = cache;
        }

        UserNamespaceFile get() throws IOException {
            if (file == null) file = cache.take(mapping);
            return file;
        }

        @Override
        public void close() {
            if (file != null) file.close();
        }
    }
}
