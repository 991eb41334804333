package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.FileTimes;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.locks.ContainerLocks;
import io.sysbox.mgr.rootfs.FreshOverlay;
import io.sysbox.mgr.specialdirs.SpecialDirsRecord.Dir;
import io.sysbox.mgr.specialdirs.SpecialDirsRecord.UserCache;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The special directories of SPEC §5: host-backed directories mounted where inner Docker,
 * containerd, kubelet, k0s, k3s, rke2 and buildkit keep overlayfs layers, which cannot live
 * on the container's overlay rootfs. Each is DATA_ROOT/KIND/ID, owned by the container's
 * host root so it is root's inside.
 *
 * <p>Life of a container's dirs: made at its first {@link #prepare} (with what the image
 * already has there: preloaded inner images), reused by later ones (stop/start), copied back
 * into the rootfs at {@link #stopped} so {@code docker commit} keeps inner images, deleted at
 * {@link #removed} (for Docker, called by the {@link RemovalMonitor} when the container's
 * layer goes). The dirs and DATA_ROOT/specialdirs/ID.json are the state; a new instance
 * takes over with {@link #restore}. Calls for one container are serialized.
 *
 * <p>An overlay rootfs is written at stop through a {@link FreshOverlay} mounted at
 * DATA_ROOT/copyback/ID, never through the engine's own (stale) mount, and what the inner
 * overlay stores have that image layers cannot carry travels as {@link InnerOverlayMetadata}.
 */
public final class SpecialDirs implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,1023}");
    private static final String RECORDS = "specialdirs", COPY_BACK = "copyback", STAGING_SUFFIX = ".partial";

    private final Path dataRoot;
    private final boolean preload;
    private final Logger log;
    private final RecordStore store;
    private final RemovalMonitor monitor;
    private final UserSourceClaims claims = new UserSourceClaims();
    private final InnerOverlayMetadataFile metadataFile = new InnerOverlayMetadataFile();
    private final ContainerLocks locks = new ContainerLocks();
    private final ConcurrentHashMap<String, SpecialDirsRecord> records = new ConcurrentHashMap<>();

    /** Creates the kind directories (traversable, not listable, by containers) and loads the records. */
    public SpecialDirs(SpecialDirsConfig config, Logger log) throws IOException {
        this.dataRoot = config.dataRoot();
        this.preload = config.innerImagePreload();
        this.log = log;
        for (SpecialDirKind kind : SpecialDirKind.values()) {
            Path dir = dataRoot.resolve(kind.dirName());
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path copyBack = Files.createDirectories(dataRoot.resolve(COPY_BACK));
        Files.setPosixFilePermissions(copyBack, PosixFilePermissions.fromString("rwx------"));
        this.store = new RecordStore(dataRoot.resolve(RECORDS));
        for (SpecialDirsRecord record : store.loadAll(log)) records.put(record.id(), record);
        this.monitor = new RemovalMonitor(config.removalPollInterval(), log);
    }

    /** DATA_ROOT/KIND/ID. */
    public Path hostDir(SpecialDirKind kind, String id) {
        return dataRoot.resolve(kind.dirName()).resolve(checkId(id));
    }

    /** Containers that have special dirs (running or stopped). */
    public Set<String> containers() {
        return Set.copyOf(records.keySet());
    }

    /** Whether id's Docker layer is being watched for removal. */
    public boolean isWatched(String id) {
        return monitor.watched().contains(id);
    }

    /**
     * Gives a container about to start its special dirs: made (and filled from the image)
     * the first time, reused afterwards (re-owned if its mapping changed). A user mount on
     * a special dir's destination replaces that dir; on docker's data root its source is
     * claimed as this container's image cache while it runs.
     *
     * @param rootfs     the original rootfs (Docker's {@code overlay2/LAYER/merged}, a bundle's
     *                   directory), not the idmapped clone: its image-owned files are read here
     * @param mapping    the container's mapping (root = uid/gid hostId)
     * @param userMounts the spec's bind and volume mounts
     * @throws SourceInUseException another running container has the same user source on its docker data root
     * @throws IOException          the dirs cannot be made or filled (nothing is left half-made)
     */
    public Prepared prepare(String id, Path rootfs, ContainerMapping mapping, List<UserMount> userMounts)
            throws SourceInUseException, IOException {
        checkId(id);
        checkRootfs(id, rootfs);
        try (ContainerLocks.Held held = locks.lock(id)) {
            SpecialDirsRecord previous = records.get(id);
            String dockerRoot = DockerDataRoot.of(rootfs, id, log);
            Map<String, UserMount> userByDestination = new HashMap<>();
            for (UserMount mount : userMounts) userByDestination.put(normalize(mount.destination()), mount);

            List<Dir> dirs = new ArrayList<>();
            Set<String> destinations = new HashSet<>();
            UserCache userCache = null;
            for (SpecialDirKind kind : SpecialDirKind.values()) {
                String destination = kind == SpecialDirKind.DOCKER ? dockerRoot : kind.defaultDestination();
                if (!destinations.add(destination)) {
                    log.warn("container {}: docker's data root {} is also the {} special dir; mounting it once",
                            id, destination, kind.dirName());
                    continue;
                }
                UserMount user = userByDestination.get(destination);
                if (user == null) {
                    dirs.add(new Dir(kind, destination));
                    continue;
                }
                log.info("container {}: the user's mount of {} on {} replaces its {} special dir", id, user.source(),
                        destination, kind.dirName());
                if (kind == SpecialDirKind.DOCKER) userCache = new UserCache(canonical(user.source()), destination);
            }
            if (userCache != null) claims.claim(id, userCache.source(), userCache.destination());

            Removal removal = Removal.of(rootfs);
            Path layer = removal instanceof Removal.WatchedLayer watched ? watched.layerDir() : null;
            SpecialDirsRecord record = new SpecialDirsRecord(id, rootfs.toString(), mapping.uid(), mapping.gid(), dirs,
                    userCache, layer == null ? null : layer.toString(), true);
            List<Path> made = new ArrayList<>();
            boolean done = false;
            try {
                // Saved before any dir is made: every special dir on disk has a record saying what to do with it.
                store.save(record);
                List<SpecialMount> mounts = new ArrayList<>();
                for (Dir dir : dirs) {
                    Path host = hostDir(dir.kind(), id);
                    if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                        reuse(id, dir, host, previous, mapping);
                    } else {
                        create(id, dir, host, rootfs, mapping);
                        made.add(host);
                    }
                    mounts.add(new SpecialMount(dir.kind(), host, dir.destination()));
                }
                records.put(id, record);
                if (layer != null) monitor.watch(id, layer, () -> removedWithLayer(id, layer));
                else monitor.cancel(id);
                done = true;
                log.info("container {}: special dirs {}{} ({} new)", id,
                        dirs.stream().map(d -> d.kind().dirName() + " on " + d.destination()).toList(),
                        userCache == null ? "" : ", user image cache " + userCache.source(), made.size());
                return new Prepared(mounts, removal);
            } finally {
                if (!done) undoPrepare(id, previous, made);
            }
        }
    }

    /**
     * The container's runtime container was deleted (Docker: at every stop). Copies the
     * special dirs' content back into the rootfs with owners moved back to image ids, so
     * {@code docker commit} keeps inner images, unless keepChanges is false ({@code --rm}) or
     * inner image preload is disabled. The host dirs stay (a start reuses them) and the user
     * image cache is free for another container. Nothing to do for an unknown or already
     * stopped container.
     *
     * <p>With an overlay rootfs whose upper layer was lent to the container's host ids, call
     * this after the layer is given back: files it writes are already image-owned.
     *
     * @param rootfs the original rootfs as given to {@link #prepare}, still mounted; null for that one
     * @throws IOException some content could not be copied back; the container is stopped all the same
     *                     and its content stays in the host dirs
     */
    public void stopped(String id, Path rootfs, boolean keepChanges) throws IOException {
        checkId(id);
        try (ContainerLocks.Held held = locks.lock(id)) {
            SpecialDirsRecord record = records.get(id);
            if (record == null || !record.running()) return;
            List<String> failures = new ArrayList<>();
            if (keepChanges && preload) {
                Path target = rootfs != null ? rootfs : Path.of(record.rootfs());
                if (isEmptyOrMissing(target)) {
                    log.warn("container {}: its rootfs {} is empty or gone (unmounted already?); its special dirs"
                            + " are not copied back, their content stays in {}", id, target, dataRoot);
                } else {
                    copyBackAll(record, target, failures);
                }
            }
            claims.release(id);
            SpecialDirsRecord stopped = record.asStopped();
            records.put(id, stopped);
            store.save(stopped);
            if (!failures.isEmpty()) {
                throw new IOException("container " + id + ": inner changes could not all be copied back into its"
                        + " rootfs (they stay in its special dirs): " + String.join("; ", failures));
            }
        }
    }

    /**
     * The container is gone for good: deletes its special dirs (whatever the container left
     * in them; symlinks are never followed) and its record, and frees its user image cache.
     * Idempotent; safe before or after {@link #stopped}.
     *
     * @throws IOException something could not be deleted; the record stays, so a later call
     *                     (or the next manager start) tries again
     */
    public void removed(String id) throws IOException {
        checkId(id);
        try (ContainerLocks.Held held = locks.lock(id)) {
            monitor.cancel(id);
            claims.release(id);
            List<String> failures = new ArrayList<>();
            boolean any = false;
            for (SpecialDirKind kind : SpecialDirKind.values()) {
                for (Path dir : List.of(hostDir(kind, id), stagingDir(kind, id))) {
                    try {
                        any |= TreeRemover.remove(dir);
                    } catch (IOException e) {
                        failures.add(e.getMessage());
                    }
                }
            }
            if (!failures.isEmpty()) {
                throw new IOException("cannot delete all special dirs of container " + id + ": "
                        + String.join("; ", failures) + "; they are deleted again at the next removal or manager start");
            }
            store.delete(id);
            if (records.remove(id) != null || any) log.info("container {}: special dirs deleted", id);
        }
    }

    /**
     * Takes over after a manager restart (call once, before serving). runningIds are the
     * containers the manager restored as prepared and not yet released: they keep their user
     * image cache; any other recorded container is taken as stopped while no manager ran
     * (nothing was copied back). Docker layers are watched again (one removed meanwhile is
     * noticed at the first check); a non-Docker container that is not running had its
     * runtime delete meanwhile and is removed. Half-made dirs and dirs without a record are
     * deleted. Problems are logged, not thrown: one container must not keep the others' state.
     */
    public void restore(Collection<String> runningIds) {
        Set<String> running = Set.copyOf(runningIds);
        deleteLeftovers();
        for (SpecialDirsRecord record : List.copyOf(records.values())) {
            String id = record.id();
            boolean stoppedForGood;
            try (ContainerLocks.Held held = locks.lock(id)) {
                SpecialDirsRecord current = record;
                if (record.running() && !running.contains(id)) {
                    current = record.asStopped();
                    records.put(id, current);
                    try {
                        store.save(current);
                    } catch (IOException e) {
                        log.error("container {}: cannot record that it stopped: {}", id, e.getMessage());
                    }
                    log.info("container {} stopped while no manager ran: its special dirs are kept, nothing was"
                            + " copied back into its rootfs", id);
                }
                if (current.running() && current.userCache() != null) {
                    try {
                        claims.claim(id, current.userCache().source(), current.userCache().destination());
                    } catch (SourceInUseException e) {
                        log.error("restoring container {}: {}", id, e.getMessage());
                    }
                }
                if (current.watchedLayer() != null) {
                    Path layer = Path.of(current.watchedLayer());
                    monitor.watch(id, layer, () -> removedWithLayer(id, layer));
                }
                stoppedForGood = current.watchedLayer() == null && !current.running();
            }
            if (stoppedForGood) {
                try {
                    removed(id);
                } catch (IOException e) {
                    log.error("container {}: {}", id, e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        monitor.close();
    }

    private void removedWithLayer(String id, Path layer) {
        try {
            removed(id);
            log.info("container {} was removed ({} is gone)", id, layer);
        } catch (IOException e) {
            log.error("container {} was removed ({} is gone) but {}", id, layer, e.getMessage());
        }
    }

    /** A new dir: the image's content at the destination (owners moved to host ids), or an empty root-owned one. */
    private void create(String id, Dir dir, Path host, Path rootfs, ContainerMapping mapping) throws IOException {
        Path staging = stagingDir(dir.kind(), id);
        TreeRemover.remove(staging);
        Path image = RootfsPath.resolve(rootfs, dir.destination());
        FileStat imageStat = FileStat.ifExists(image);
        IdTranslation into = IdTranslation.intoContainer(mapping);
        try {
            if (imageStat != null && imageStat.isDirectory() && preload) {
                CopyReport report = TreeCopier.sync(image, staging, into);
                restoreInnerOverlay(id, dir, staging, into);
                if (report.problemCount() > 0) {
                    log.warn("container {}: copying {} of its image into {}: {}; all problems: {}", id,
                            dir.destination(), host, report, report.problems());
                } else if (report.filesCopied() + report.created() > 1) {
                    log.info("container {}: copied {} of its image into {}: {}", id, dir.destination(), host, report);
                }
            } else {
                if (imageStat != null && !imageStat.isDirectory()) {
                    log.warn("container {}: {} in its image is not a directory; its special dir starts empty",
                            id, dir.destination());
                }
                Files.createDirectory(staging);
                boolean fromImage = imageStat != null && imageStat.isDirectory();
                long uid = fromImage ? into.uid(imageStat.uid()) : mapping.uid().hostId();
                long gid = fromImage ? into.gid(imageStat.gid()) : mapping.gid().hostId();
                Files.setAttribute(staging, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(staging, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(staging, "unix:mode", fromImage ? imageStat.permissions() : dir.kind().defaultMode(),
                        LinkOption.NOFOLLOW_LINKS);
            }
            // Complete or absent: a manager that dies mid-copy leaves only a staging dir, deleted at restore.
            Files.move(staging, host, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                TreeRemover.remove(staging);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("container " + id + ": cannot make its " + dir.kind().dirName() + " special dir "
                    + host + " from " + image + ": " + e.getMessage(), e);
        }
    }

    /** An existing dir, from an earlier start; owners move along if the container came back with another mapping. */
    private void reuse(String id, Dir dir, Path host, SpecialDirsRecord previous, ContainerMapping mapping)
            throws IOException {
        if (previous == null || previous.mapping().equals(mapping)) return;
        CopyReport report = TreeCopier.reown(host, IdTranslation.between(previous.mapping(), mapping));
        log.info("container {}: its mapping changed from {} to {}; re-owned its {} special dir{}", id,
                previous.mapping(), mapping, dir.kind().dirName(),
                report.problemCount() == 0 ? "" : " (" + report.problemCount() + " problems, first: " + report.problems().getFirst() + ")");
    }

    /**
     * Copies every special dir with something to copy back into rootfs: through a fresh mount
     * of its layers when it is an overlay (see {@link FreshOverlay} for why not through rootfs).
     */
    private void copyBackAll(SpecialDirsRecord record, Path rootfs, List<String> failures) {
        List<Dir> dirs = new ArrayList<>();
        for (Dir dir : record.dirs()) {
            try {
                if (hasSomethingToCopyBack(record, dir, rootfs)) dirs.add(dir);
            } catch (IOException e) {
                failures.add(dir.destination() + ": " + e.getMessage());
            }
        }
        if (dirs.isEmpty()) return;
        Optional<FreshOverlay> fresh;
        try {
            fresh = FreshOverlay.of(rootfs, dataRoot.resolve(COPY_BACK).resolve(record.id()));
        } catch (IOException e) {
            failures.add(e.getMessage());
            return;
        }
        try {
            Path writable = fresh.map(FreshOverlay::root).orElse(rootfs);
            for (Dir dir : dirs) {
                try {
                    copyBack(record, dir, writable, fresh.isPresent());
                } catch (IOException e) {
                    failures.add(dir.destination() + ": " + e.getMessage());
                }
            }
        } finally {
            if (fresh.isPresent()) {
                try {
                    fresh.get().close();
                } catch (IOException e) {
                    failures.add(e.getMessage());
                }
            }
        }
    }

    /** An unused special dir adds nothing to a rootfs that never had the directory. */
    private boolean hasSomethingToCopyBack(SpecialDirsRecord record, Dir dir, Path rootfs) throws IOException {
        Path host = hostDir(dir.kind(), record.id());
        if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) return false;
        return !isEmptyOrMissing(host)
                || Files.exists(RootfsPath.resolve(rootfs, dir.destination()), LinkOption.NOFOLLOW_LINKS);
    }

    private void copyBack(SpecialDirsRecord record, Dir dir, Path rootfs, boolean intoOverlay) throws IOException {
        Path host = hostDir(dir.kind(), record.id());
        Path target = RootfsPath.resolve(rootfs, dir.destination());
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && isEmptyOrMissing(host)) return;
        Files.createDirectories(target.getParent());
        IdTranslation outOf = IdTranslation.outOfContainer(record.mapping());
        if (!intoOverlay) {
            logCopyBack(record, dir, TreeCopier.sync(host, target, outOf), "");
            return;
        }
        Path metadata = target.resolve(InnerOverlayMetadata.FILE_NAME);
        // The last stop's, which the copy would count as removed.
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) TreeRemover.remove(metadata);
        InnerOverlayMetadata.Collector aside = new InnerOverlayMetadata.Collector();
        CopyReport report = TreeCopier.syncIntoOverlay(host, target, outOf, aside);
        InnerOverlayMetadata collected = aside.collected();
        // Removed even when empty: an inner file of that name must not pass for metadata at the next copy in.
        TreeRemover.remove(metadata);
        if (!collected.isEmpty()) metadataFile.write(target, collected);
        logCopyBack(record, dir, report, collected.isEmpty() ? "" : "; " + collected.whiteouts().size()
                + " whiteouts and " + collected.xattrs().size() + " overlay xattrs set aside in "
                + Path.of(dir.destination(), InnerOverlayMetadata.FILE_NAME));
    }

    private void logCopyBack(SpecialDirsRecord record, Dir dir, CopyReport report, String aside) {
        if (report.problemCount() > 0) {
            log.warn("container {}: copying {} back into its rootfs {}: {}{}; all problems: {}", record.id(),
                    dir.destination(), record.rootfs(), report, aside, report.problems());
        } else if (report.filesCopied() + report.created() + report.removed() > 0 || !aside.isEmpty()) {
            log.info("container {}: copied {} back into its rootfs: {}{}", record.id(), dir.destination(), report, aside);
        }
    }

    /** The whiteouts and overlay xattrs a copy-back set aside (image content: anything in it is checked). */
    private void restoreInnerOverlay(String id, Dir dir, Path staging, IdTranslation into) throws IOException {
        FileStat before = FileStat.of(staging);
        Optional<InnerOverlayMetadata> metadata;
        try {
            metadata = metadataFile.take(staging);
        } catch (IOException e) {
            log.warn("container {}: {} of its image: {}; its inner whiteouts and overlay xattrs are not restored", id,
                    dir.destination(), e.getMessage());
            return;
        } finally {
            // Taking the file changed the directory's times, which the copy had set as the image has them.
            FileTimes.set(staging, before.mtime(), before.atime());
        }
        if (metadata.isEmpty()) return;
        InnerOverlayRestore.Result result = InnerOverlayRestore.apply(staging, metadata.get(), into);
        if (result.problemCount() > 0) {
            log.warn("container {}: {} of its image: {}; all problems: {}", id, dir.destination(), result,
                    result.problems());
        } else {
            log.info("container {}: {} of its image: {}", id, dir.destination(), result);
        }
    }

    private void undoPrepare(String id, SpecialDirsRecord previous, List<Path> made) {
        for (Path dir : made) {
            try {
                TreeRemover.remove(dir);
            } catch (IOException e) {
                log.error("container {}: cannot delete {} after a failed prepare: {}", id, dir, e.getMessage());
            }
        }
        claims.release(id);
        try {
            if (previous == null) {
                store.delete(id);
                return;
            }
            store.save(previous);
            if (previous.running() && previous.userCache() != null) {
                claims.claim(id, previous.userCache().source(), previous.userCache().destination());
            }
        } catch (IOException | SourceInUseException e) {
            log.error("container {}: cannot restore its previous special-dir state after a failed prepare: {}", id,
                    e.getMessage());
        }
    }

    /**
     * Staging dirs of copies a dead manager never finished, its copy-back mounts, and dirs no
     * record accounts for.
     */
    private void deleteLeftovers() {
        Path copyBack = dataRoot.resolve(COPY_BACK);
        List<Path> mounts = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(copyBack)) {
            for (Path entry : entries) mounts.add(entry);
        } catch (IOException e) {
            log.error("cannot list {}: {}", copyBack, e.getMessage());
        }
        for (Path mount : mounts) {
            try {
                // Detaches the mount first: never deletes through it into a container's layer.
                TreeRemover.remove(mount);
                log.info("removed {}: a copy-back mount a dead manager left", mount);
            } catch (IOException e) {
                log.error("cannot remove leftover copy-back mount {}: {}", mount, e.getMessage());
            }
        }
        for (SpecialDirKind kind : SpecialDirKind.values()) {
            Path kindDir = dataRoot.resolve(kind.dirName());
            List<Path> leftovers = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(kindDir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    boolean staging = name.startsWith(".") && name.endsWith(STAGING_SUFFIX);
                    boolean orphan = !staging && !records.containsKey(name) && !store.exists(name);
                    if (staging || orphan) leftovers.add(entry);
                }
            } catch (IOException e) {
                log.error("cannot list {}: {}", kindDir, e.getMessage());
                continue;
            }
            for (Path leftover : leftovers) {
                try {
                    TreeRemover.remove(leftover);
                    log.info("deleted {}: a half-made special dir, or one of a container no record knows", leftover);
                } catch (IOException e) {
                    log.error("cannot delete leftover special dir {}: {}", leftover, e.getMessage());
                }
            }
        }
    }

    private Path stagingDir(SpecialDirKind kind, String id) {
        return dataRoot.resolve(kind.dirName()).resolve("." + id + STAGING_SUFFIX);
    }

    private static boolean isEmptyOrMissing(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return true;
        }
    }

    private static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("container id '" + id + "' cannot name a special dir: it must start with"
                    + " a letter or digit and hold only letters, digits, '_', '.' and '-'");
        }
        return id;
    }

    private static void checkRootfs(String id, Path rootfs) throws IOException {
        if (rootfs == null || !rootfs.isAbsolute() || !Files.isDirectory(rootfs)) {
            throw new IOException("container " + id + ": rootfs " + rootfs + " is not an absolute path to a directory;"
                    + " special dirs need the container's original rootfs");
        }
    }

    /** A mount destination as the runtime reads it: absolute, no "." or "..", no trailing slash. */
    private static String normalize(String destination) {
        return Path.of("/", destination).normalize().toString();
    }

    private static String canonical(Path source) {
        try {
            return source.toRealPath().toString();
        } catch (IOException e) {
            return source.toAbsolutePath().normalize().toString();
        }
    }
}
