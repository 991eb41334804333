package io.sysbox.mgr.testing;

import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.Ownership;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Docker's overlay2 driver hands a runtime, made by hand in a temp directory: two image
 * layers behind short symlinks ({@code overlay2/l/...}), a container layer with its diff and
 * work directories, and the overlay mounted at {@code <layer>/merged}.
 *
 * <pre>
 * lower 1 (image base):  etc/passwd 0:0, bin/su 0:0 04755, bin/ping 0:0 with file capabilities,
 *                        var/lib/dpkg/status 0:0
 * lower 2 (image top):   home/user/ 1000:1000, home/user/notes 1000:1000
 * upper (container):     etc/hostname 0:0, home/user/todo 1000:1000, bin/upper-su 0:0 04755,
 *                        bin/upper-ping 0:0 with file capabilities, link -> /etc/passwd (0:0)
 * </pre>
 */
public final class FakeDockerLayer {
    /** A v2 security.capability value: cap_net_raw (bit 13) permitted, effective. */
    public static final byte[] NET_RAW = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    public final Path home;
    public final Path lower1;
    public final Path lower2;
    public final Path upper;
    public final Path work;
    public final Path merged;

    private FakeDockerLayer(Path home, String layer) {
        this.home = home;
        this.lower1 = home.resolve("image1/diff");
        this.lower2 = home.resolve("image2/diff");
        this.upper = home.resolve(layer + "/diff");
        this.work = home.resolve(layer + "/work");
        this.merged = home.resolve(layer + "/merged");
    }

    /** Builds the layers under dir/overlay2 and mounts the overlay with extra mount options (may be empty). */
    public static FakeDockerLayer create(Path dir, String extraOptions) throws IOException {
        FakeDockerLayer layer = new FakeDockerLayer(Files.createDirectories(dir.resolve("overlay2")), "c0ffee");
        layer.populate();
        layer.mount(extraOptions, false);
        return layer;
    }

    /**
     * Like {@link #create}, but mounted the way overlay2 does when absolute paths would not fit
     * in a page: from its home directory, with relative paths.
     */
    public static FakeDockerLayer createRelative(Path dir) throws IOException {
        FakeDockerLayer layer = new FakeDockerLayer(Files.createDirectories(dir.resolve("overlay2")), "c0ffee");
        layer.populate();
        layer.mount("", true);
        return layer;
    }

    private void populate() throws IOException {
        Files.createDirectories(home.resolve("l"));
        Files.createSymbolicLink(home.resolve("l/AAAA"), Path.of("../image1/diff"));
        Files.createSymbolicLink(home.resolve("l/BBBB"), Path.of("../image2/diff"));
        for (Path d : List.of(lower1.resolve("etc"), lower1.resolve("bin"), lower1.resolve("var/lib/dpkg"),
                lower2.resolve("home/user"), upper.resolve("etc"), upper.resolve("bin"), upper.resolve("home/user"), work,
                merged)) {
            Files.createDirectories(d);
        }
        Files.writeString(lower1.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(lower1.resolve("var/lib/dpkg/status"), "Package: base-files\n");
        setuidRoot(Files.writeString(lower1.resolve("bin/su"), "su"));
        withNetRaw(Files.writeString(lower1.resolve("bin/ping"), "ping"));
        owned(lower2.resolve("home/user"), 1000);
        owned(Files.writeString(lower2.resolve("home/user/notes"), "notes"), 1000);
        owned(lower2.resolve("home"), 0);
        Files.writeString(upper.resolve("etc/hostname"), "c0ffee\n");
        owned(upper.resolve("home/user"), 1000);
        owned(Files.writeString(upper.resolve("home/user/todo"), "todo"), 1000);
        setuidRoot(Files.writeString(upper.resolve("bin/upper-su"), "su"));
        withNetRaw(Files.writeString(upper.resolve("bin/upper-ping"), "ping"));
        Files.createSymbolicLink(upper.resolve("link"), Path.of("/etc/passwd"));
    }

    private void mount(String extraOptions, boolean relative) throws IOException {
        String options = relative
                ? "lowerdir=l/BBBB:l/AAAA,upperdir=c0ffee/diff,workdir=c0ffee/work"
                : "lowerdir=" + home.resolve("l/BBBB") + ":" + home.resolve("l/AAAA") + ",upperdir=" + upper
                        + ",workdir=" + work;
        if (!extraOptions.isEmpty()) options += "," + extraOptions;
        run(home, "mount", "-t", "overlay", "overlay", "-o", options, relative ? "c0ffee/merged" : merged.toString());
    }

    private static void setuidRoot(Path file) throws IOException {
        Files.setAttribute(file, "unix:mode", 04755);
    }

    private static void withNetRaw(Path file) throws IOException {
        ExtendedAttributes.set(file, "security.capability", NET_RAW);
    }

    private static Path owned(Path path, int id) throws IOException {
        Ownership.lchown(path.toString(), id, id);
        return path;
    }

    public static void run(Path cwd, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
