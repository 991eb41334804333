package io.sysbox.mgr.specialdirs;

import java.util.List;

/**
 * What {@link SpecialDirs#prepare} answers.
 *
 * @param mounts  to add to the spec, after the user's mounts on their parents and before
 *                those below them ({@link SpecialMount#insertionIndex})
 * @param removal whether the manager must call {@code removed} itself after {@code stopped}
 */
public record Prepared(List<SpecialMount> mounts, Removal removal) {
    public Prepared {
        mounts = List.copyOf(mounts);
    }
}
