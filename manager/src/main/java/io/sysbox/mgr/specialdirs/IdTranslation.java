package io.sysbox.mgr.specialdirs;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;

/**
 * How on-disk owners change when files move between a container's rootfs (image ids,
 * 0..size-1) and its special dirs on the host (the container's host ids, H..H+size-1).
 * An id already on the target side stays as it is, so a rootfs seen with some files already
 * shifted (an overlay upper layer lent to the container) is copied right too; an id that has
 * no place in the container becomes its overflow id (nobody), as the kernel shows it inside.
 */
sealed interface IdTranslation {
    /** The id the kernel shows for unmapped ids. */
    long OVERFLOW_ID = 65534;

    long uid(long id);

    long gid(long id);

    static IdTranslation intoContainer(ContainerMapping mapping) {
        return new IntoContainer(mapping.uid(), mapping.gid());
    }

    static IdTranslation outOfContainer(ContainerMapping mapping) {
        return new OutOfContainer(mapping.uid(), mapping.gid());
    }

    /** From one host range to another: a container that came back with a different mapping. */
    static IdTranslation between(ContainerMapping from, ContainerMapping to) {
        return new Moved(from.uid(), to.uid(), from.gid(), to.gid());
    }

    /** Image ids to host ids. */
    record IntoContainer(IdRange uids, IdRange gids) implements IdTranslation {
        @Override
        public long uid(long id) {
            return into(uids, id);
        }

        @Override
        public long gid(long id) {
            return into(gids, id);
        }

        private static long into(IdRange range, long id) {
            // Image ids first: when the host range overlaps them, an id is read as an image id.
            if (id < range.size()) return range.hostId() + id;
            if (range.contains(id)) return id;
            return range.hostId() + Math.min(OVERFLOW_ID, range.size() - 1);
        }
    }

    /** Host ids back to image ids. */
    record OutOfContainer(IdRange uids, IdRange gids) implements IdTranslation {
        @Override
        public long uid(long id) {
            return outOf(uids, id);
        }

        @Override
        public long gid(long id) {
            return outOf(gids, id);
        }

        private static long outOf(IdRange range, long id) {
            if (range.contains(id)) return id - range.hostId();
            if (id < range.size()) return id;
            return Math.min(OVERFLOW_ID, range.size() - 1);
        }
    }

    /**
     * Ids of one host range to the same place in another; everything else stays, so moving a
     * tree twice (a hard-linked inode, an interrupted walk run again) changes nothing more.
     */
    record Moved(IdRange fromUids, IdRange toUids, IdRange fromGids, IdRange toGids) implements IdTranslation {
        @Override
        public long uid(long id) {
            return fromUids.contains(id) ? id - fromUids.hostId() + toUids.hostId() : id;
        }

        @Override
        public long gid(long id) {
            return fromGids.contains(id) ? id - fromGids.hostId() + toGids.hostId() : id;
        }
    }
}
