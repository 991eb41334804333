package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Refuses linux.devices entries the engine cannot give a system container. Device nodes cannot be
 * created in a user namespace, so the engine (runc, crun) bind-mounts the host's node at the same
 * path instead: a device the host has elsewhere or not at all would fail deep in the engine (ENOENT),
 * and one the host has at that path with other numbers would silently give the container another
 * device than the spec names.
 */
final class HostDeviceNodes {
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;
    /** OCI device type to the file type it needs ("u", unbuffered, is a character device). */
    private static final Map<String, Integer> TYPES = Map.of("c", S_IFCHR, "u", S_IFCHR, "b", S_IFBLK, "p", S_IFIFO);

    private static final String HOW_TO_FIX = "; name the device by its path on the host (Docker: --device /dev/X,"
            + " not --device /dev/X:/dev/Y)";

    private HostDeviceNodes() {}

    static void check(Spec spec) throws InvalidSpecException {
        JsonNode devices = spec.linux().path("devices");
        for (int i = 0; i < devices.size(); i++) {
            JsonNode device = devices.get(i);
            String path = device.path("path").asText("");
            String type = device.path("type").asText("");
            Integer fileType = TYPES.get(type);
            if (path.isEmpty() || fileType == null) continue; // the engine names a malformed entry itself
            long major = device.path("major").asLong(0);
            long minor = device.path("minor").asLong(0);
            String wanted = fileType == S_IFIFO ? "a fifo" : type + " " + major + ":" + minor;
            String prefix = "linux.devices[" + i + "] " + path + " (" + wanted + "): a system container runs in a user"
                    + " namespace, where device nodes cannot be made, so the engine binds the host's node at the same path";
            Map<String, Object> host;
            try {
                host = Files.readAttributes(Path.of(path), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw new InvalidSpecException(prefix + ", and the host has no " + path + HOW_TO_FIX);
            } catch (IOException e) {
                throw new InvalidSpecException(prefix + ", and the host's " + path + " cannot be examined: " + e.getMessage());
            }
            int mode = (Integer) host.get("mode");
            long rdev = ((Number) host.get("rdev")).longValue();
            boolean same = (mode & S_IFMT) == fileType
                    && (fileType == S_IFIFO || (major(rdev) == major && minor(rdev) == minor));
            if (!same) {
                throw new InvalidSpecException(prefix + ", and the host's " + path + " is " + describe(mode, rdev)
                        + ", another device" + HOW_TO_FIX);
            }
        }
    }

    private static String describe(int mode, long rdev) {
        return switch (mode & S_IFMT) {
            case S_IFCHR -> "c " + major(rdev) + ":" + minor(rdev);
            case S_IFBLK -> "b " + major(rdev) + ":" + minor(rdev);
            case S_IFIFO -> "a fifo";
            default -> "no device node";
        };
    }

    /** glibc's gnu_dev_major/minor: the 64-bit dev_t splits each number in two. */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L);
    }

    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
    }
}
