package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a bundle's root.path leads, checked before the manager shifts it. The engine never sees
 * the caller's rootfs (it gets the manager's idmapped clone), so runc's own rule must be applied
 * here: root.path, made absolute against the bundle as runc does, must be its real path (a symlink
 * could point anywhere, and be changed after the check). And it must not be the host's `/`: the
 * clone would make the container's root the owner of every host file.
 */
final class RootfsLocation {
    private RootfsLocation() {}

    /** The rootfs of BUNDLE's ROOT_PATH (as written in CONFIG), or the refusal saying why and what to do. */
    static Path check(Path bundle, String rootPath, Path config) throws InvalidSpecException, IOException {
        Path rootfs = bundle.resolve(rootPath).normalize();
        String where = "rootfs " + rootfs + " (root.path \"" + rootPath + "\" of " + config + ")";
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidSpecException(where + " does not exist or is not a directory");
        }
        Path real = rootfs.toRealPath();
        // runc resolves a relative root.path against the bundle it has changed into, whose path getcwd gives real.
        Path asRuncSeesIt = Path.of(rootPath).isAbsolute() ? rootfs : bundle.toRealPath().resolve(rootPath).normalize();
        if (!real.equals(asRuncSeesIt)) {
            throw new InvalidSpecException(where + " goes through a symlink to " + real + "; runc refuses a rootfs"
                    + " that is a symlink or lies below one: set root.path to the real directory");
        }
        if (real.getNameCount() == 0) {
            throw new InvalidSpecException(where + " is the host's root directory: the container's root would own"
                    + " every file of the host; give the container a root filesystem of its own");
        }
        return rootfs;
    }
}
