package io.sysbox.fs;

import io.sysbox.common.daemon.StartupException;
import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes the mountpoint ready before mounting: a sysbox-fs killed with -9 leaves its FUSE mount
 * behind, dead ("Transport endpoint is not connected"); that one is detached. A live FUSE file
 * system there belongs to someone else, and sysbox-fs refuses to cover it. The read-only
 * connection's mount (at {@code <mountpoint>/.ro}) needs nothing of its own: it stands inside
 * the other, and the lazy unmount of the mountpoint detaches it with it.
 */
final class MountpointGuard {
    private MountpointGuard() {}

    static void prepare(Path mountpoint, Logger log) throws IOException, StartupException {
        // Before anything stats the directory: on a dead mount every stat fails with ENOTCONN.
        Path absolute = mountpoint.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        // mountinfo shows canonical paths; the mountpoint itself cannot be resolved while its mount is dead.
        if (parent != null && Files.isDirectory(parent)) absolute = parent.toRealPath().resolve(absolute.getFileName());
        Optional<String> type = topFsType(absolute);
        if (type.isEmpty() || !type.get().startsWith("fuse")) {
            Files.createDirectories(mountpoint);
            return;
        }
        try {
            Files.readAttributes(mountpoint, "unix:mode");
        } catch (IOException dead) {
            log.info("detaching the dead FUSE mount a previous sysbox-fs left at {} ({})", mountpoint, dead.getMessage());
            try {
                MountApi.umount(mountpoint.toString(), MountApi.MNT_DETACH);
            } catch (ErrnoException e) {
                throw new StartupException("cannot detach the dead FUSE mount at " + mountpoint + ": " + e.getMessage()
                        + "; run `umount -l " + mountpoint + "`", e);
            }
            return;
        }
        throw new StartupException("a live FUSE file system (" + type.get() + ") is mounted at " + mountpoint
                + ": another sysbox-fs serves it; stop it, or give this one another --mountpoint", null);
    }

    /** The type of the last (topmost) mount at {@code dir} in /proc/self/mountinfo. */
    private static Optional<String> topFsType(Path dir) throws IOException {
        String target = dir.toString();
        Optional<String> type = Optional.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] halves = line.split(" - ", 2);
            String[] fields = halves[0].split(" ");
            if (halves.length == 2 && fields.length > 4 && unescape(fields[4]).equals(target)) {
                type = Optional.of(halves[1].split(" ")[0]);
            }
        }
        return type;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
