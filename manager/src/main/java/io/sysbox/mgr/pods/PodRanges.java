package io.sysbox.mgr.pods;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.PoolExhaustedException;
import io.sysbox.mgr.idrange.RangeAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Ranges reserved for pods (sysbox-cri's ReservePodRange), drawn from the same allocator as
 * every container's, so Docker containers and pods on one node never overlap. A reservation
 * holds one reference on its mapping; the pod's sandbox container takes another at Prepare, so
 * the ids stay in use until both the reservation and the container are gone.
 */
public final class PodRanges {
    /** Pod uids become file names: the UUIDs Kubernetes gives, or any plain name (critest, tests). */
    private static final Pattern VALID_UID = Pattern.compile("[\\w.-]{1,253}");

    private final RangeAllocator allocator;
    private final PodRangeStore store;
    private final Map<String, PodRangeRecord> byUid = new HashMap<>();

    public PodRanges(RangeAllocator allocator, PodRangeStore store) {
        this.allocator = allocator;
        this.store = store;
    }

    /** A pod uid the manager cannot use; the message says why. */
    public static final class InvalidPodException extends Exception {
        InvalidPodException(String message) {
            super(message);
        }
    }

    /** Reserves every recorded range again (a restarted manager); returns how many. */
    public synchronized int restore() throws IOException {
        for (PodRangeRecord record : store.loadAll()) {
            allocator.reserve(record.mapping());
            byUid.put(record.podUid(), record);
        }
        return byUid.size();
    }

    /** The pod's reservation, made now unless it has one already. */
    public synchronized PodRangeRecord reserve(String uid, String namespace, String name)
            throws InvalidPodException, PoolExhaustedException, IOException {
        if (!VALID_UID.matcher(uid).matches() || uid.equals(".") || uid.equals("..")) {
            throw new InvalidPodException("pod uid '" + uid + "' (of " + namespace + "/" + name
                    + ") is empty or not a plain name: use letters, digits, '_', '-' and '.'");
        }
        PodRangeRecord existing = byUid.get(uid);
        if (existing != null) return existing;
        ContainerMapping mapping = allocator.allocate(Optional.empty());
        PodRangeRecord record = new PodRangeRecord(uid, namespace, name, mapping.uid(), mapping.gid());
        try {
            store.save(record);
        } catch (IOException e) {
            allocator.free(mapping);
            throw e;
        }
        byUid.put(uid, record);
        return record;
    }

    /** Drops the reservation; false when the pod had none. */
    public synchronized boolean release(String uid) throws IOException {
        PodRangeRecord record = byUid.get(uid);
        if (record == null) return false;
        store.delete(uid);
        byUid.remove(uid);
        allocator.free(record.mapping());
        return true;
    }

    /** The reservation of the pod a spec names (see PodRangeRecord.matches), if it has one. */
    public synchronized Optional<PodRangeRecord> find(String uid, String namespace, String name) {
        if (!uid.isEmpty()) {
            return Optional.ofNullable(byUid.get(uid)).filter(r -> r.matches(uid, namespace, name));
        }
        return byUid.values().stream().filter(r -> r.matches(uid, namespace, name)).findFirst();
    }

    public synchronized List<PodRangeRecord> list() {
        List<PodRangeRecord> all = new ArrayList<>(byUid.values());
        all.sort(Comparator.comparing(PodRangeRecord::podUid));
        return all;
    }
}
