package io.sysbox.fs.seccomp;

import java.util.Arrays;
import java.util.List;

/**
 * One line of a process's /proc/PID/mountinfo (proc(5)): paths are as that process sees them,
 * relative to its root.
 *
 * @param id           the mount's id (what statx's STATX_MNT_ID answers)
 * @param parentId     the mount it stands on
 * @param device       the superblock's device, "major:minor"
 * @param root         the directory of that file system the mount shows
 * @param mountPoint   where it stands
 * @param mountOptions the per-mount flags ("ro,nosuid,...")
 * @param fsType       "proc", "sysfs", "fuse.sysbox-fs"...
 */
public record MountEntry(long id, long parentId, String device, String root, String mountPoint, String mountOptions,
                         String fsType) {

    /** Parses one mountinfo line; octal escapes (\040 for a space) are decoded. */
    public static MountEntry parse(String line) {
        String[] fields = line.split(" ");
        int separator = Arrays.asList(fields).indexOf("-");
        if (fields.length < 7 || separator < 6 || separator + 1 >= fields.length) {
            throw new IllegalArgumentException("not a mountinfo line: " + line);
        }
        return new MountEntry(Long.parseLong(fields[0]), Long.parseLong(fields[1]), fields[2], unescape(fields[3]),
                unescape(fields[4]), fields[5], fields[separator + 1]);
    }

    public boolean readOnly() {
        return List.of(mountOptions.split(",")).contains("ro");
    }

    /** A mount of procfs or sysfs (a whole instance or a bind of part of one). */
    public boolean procOrSys() {
        return fsType.equals("proc") || fsType.equals("sysfs");
    }

    /** Whether PATH (as this table's process sees it) is this mount's point or below it. */
    public boolean covers(String path) {
        return MountEntry.isAtOrBelow(path, mountPoint);
    }

    /** PATH equals DIR or lies below it ('/'-separated, absolute). */
    static boolean isAtOrBelow(String path, String dir) {
        if (dir.equals("/")) return path.startsWith("/");
        return path.equals(dir) || path.startsWith(dir + "/");
    }

    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
