package io.sysbox.setup.container;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountFlags;
import io.sysbox.setup.resources.EmulatedTree;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The mount flags of a spec's bind sources (for LockedBindFlags). The emulated files all live on
 * sysbox-fs's two FUSE mounts, with nothing mounted below them: their flags are the flags of the
 * container's directory on each mount, read once. A statvfs per emulated file would cost a FUSE
 * LOOKUP and STATFS round trip each, about 15 ms of every container's start.
 */
final class BindSourceFlags implements Function<String, Optional<MountFlags>> {
    private final List<Path> emulatedRoots;
    private final Map<Path, Optional<MountFlags>> rootFlags = new HashMap<>();

    BindSourceFlags(Optional<EmulatedTree> emulated) {
        this.emulatedRoots = emulated.map(tree -> List.of(tree.root(), tree.readOnlyRoot())).orElse(List.of());
    }

    @Override
    public Optional<MountFlags> apply(String source) {
        Path path = Path.of(source);
        for (Path root : emulatedRoots) {
            if (path.startsWith(root)) return rootFlags.computeIfAbsent(root, r -> read(r.toString()));
        }
        return read(source);
    }

    private static Optional<MountFlags> read(String path) {
        try {
            return Optional.of(MountFlags.of(path));
        } catch (ErrnoException e) {
            return Optional.empty(); // the engine reports a source it cannot reach
        }
    }
}
