package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One line of /proc/self/mountinfo, with the fields the suites look at. */
public record MountEntry(String root, Path mountPoint, String fsType, String source, List<String> superOptions, String line) {

    public static List<MountEntry> current() {
        try {
            List<MountEntry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) entries.add(parse(line));
            return entries;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    static MountEntry parse(String line) {
        int dash = line.indexOf(" - ");
        String[] pre = line.substring(0, dash).split(" ");
        String[] post = line.substring(dash + 3).split(" ");
        return new MountEntry(unescape(pre[3]), Path.of(unescape(pre[4])), post[0], unescape(post[1]),
                List.of(post.length > 2 ? post[2].split(",") : new String[0]), line);
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo octal escapes. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
