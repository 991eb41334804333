package io.sysbox.mgr.idmap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One line of /proc/self/mountinfo: how the kernel sees a mount in this mount namespace.
 *
 * @param superOptions the filesystem's own options exactly as printed (still escaped: a ',' inside
 *                     a value is {@code \054}, so splitting on ',' comes before {@link #unescape})
 */
public record MountInfo(int id, int parentId, String root, Path mountPoint, List<String> mountOptions,
                        String fsType, String source, String superOptions) {
    private static final Path SELF = Path.of("/proc/self/mountinfo");

    public static List<MountInfo> read() throws IOException {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(SELF)) {
            if (!line.isBlank()) mounts.add(parse(line));
        }
        return mounts;
    }

    /** Whether something is mounted exactly at path (path should be canonical). */
    public static boolean isMountPoint(Path path) throws IOException {
        return read().stream().anyMatch(m -> m.mountPoint().equals(path));
    }

    /** Mounts at dir or below it. */
    public static List<MountInfo> under(Path dir) throws IOException {
        return read().stream().filter(m -> m.mountPoint().startsWith(dir)).toList();
    }

    public boolean idmapped() {
        return mountOptions.contains("idmapped");
    }

    static MountInfo parse(String line) {
        String[] f = line.split(" ");
        int separator = Arrays.asList(f).indexOf("-");
        if (f.length < 10 || separator < 6) throw new IllegalArgumentException("bad mountinfo line: " + line);
        return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]),
                Path.of(unescape(f[4])), List.of(f[5].split(",")), f[separator + 1], unescape(f[separator + 2]),
                f.length > separator + 3 ? f[separator + 3] : "");
    }

    /** The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes. */
    public static String unescape(String field) {
        if (field.indexOf('\\') < 0) return field;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
