package io.sysbox.mgr.specialdirs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

import java.util.List;

/**
 * What SpecialDirs remembers about a container, durably, from its first Prepare until it is
 * removed: enough to copy back, to re-arm the removal watch and to re-claim a user's image
 * cache after a manager restart.
 *
 * @param rootfs       the original rootfs (where content is copied back to)
 * @param uid          the mapping the host dirs' owners follow
 * @param dirs         the special dirs mounted at the last Prepare
 * @param userCache    the user's volume or bind on docker's data root (instead of a special dir), or null
 * @param watchedLayer the Docker layer whose removal means the container's, or null
 * @param running      between Prepare and the runtime's delete (holds userCache while true)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SpecialDirsRecord(String id, String rootfs, IdRange uid, IdRange gid, List<Dir> dirs,
                         UserCache userCache, String watchedLayer, boolean running) {
    record Dir(SpecialDirKind kind, String destination) {}

    /** A user source used as the inner Docker image cache: canonical source, and where it is mounted. */
    record UserCache(String source, String destination) {}

    SpecialDirsRecord {
        dirs = dirs == null ? List.of() : List.copyOf(dirs);
    }

    ContainerMapping mapping() {
        return new ContainerMapping(uid, gid);
    }

    SpecialDirsRecord asStopped() {
        return new SpecialDirsRecord(id, rootfs, uid, gid, dirs, userCache, watchedLayer, false);
    }
}
