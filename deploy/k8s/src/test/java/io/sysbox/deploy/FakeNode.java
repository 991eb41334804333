package io.sysbox.deploy;

import io.sysbox.install.host.DaemonFlags;
import io.sysbox.install.host.DistInstall;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.NodeSupport;
import io.sysbox.install.host.ServiceControl;
import io.sysbox.install.node.NodeInstaller;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A node for sysbox-deploy without a node: a host root directory holding a runtime's config (the
 * samples are real: Debian's `containerd config default` of 1.6, containerd 2.0's default, a
 * CRI-O 1.32 crio.conf), a /proc with the kernel release the node check reads, and a small dist/
 * layout to install. No daemon runs there, so restarts go to a ServiceControl the test observes.
 */
record FakeNode(Path root, Path proc, Path dist) {
    /** The config samples, shared with the installer module's tests. */
    private static final Path SAMPLES = Path.of("../installer/src/test/resources/configs");
    private static final Path UNITS = Path.of("../host/systemd");
    private static final Path OCI_HOOKS_FILE = Path.of("../../hooks/src/main/hooks.d/sysbox.json");

    enum Runtime { CONTAINERD_1_6, CONTAINERD_2, CRIO }

    static FakeNode create(Path dir, Runtime runtime, String kernel) throws IOException {
        Path root = Files.createDirectories(dir.resolve("host"));
        switch (runtime) {
            case CONTAINERD_1_6 -> {
                copy(SAMPLES.resolve("containerd-1.6-default.toml"), root.resolve("etc/containerd/config.toml"));
                fakeContainerd(root, "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3");
            }
            case CONTAINERD_2 -> {
                // As containerd 2 packages ship it: the default config importing a conf.d directory.
                String config = Files.readString(SAMPLES.resolve("containerd-2.0-default.toml"))
                        .replace("imports = []", "imports = ['/etc/containerd/conf.d/*.toml']");
                write(root.resolve("etc/containerd/config.toml"), config, 0644);
                Files.createDirectories(root.resolve("etc/containerd/conf.d"));
                fakeContainerd(root, "containerd github.com/containerd/containerd/v2 v2.0.4 1a43cb6a1035441f9aca8f5666a9b3ef9e70ab20");
            }
            case CRIO -> {
                copy(SAMPLES.resolve("crio-1.32.conf"), root.resolve("etc/crio/crio.conf"));
                Files.createDirectories(root.resolve("etc/crio/crio.conf.d"));
                write(root.resolve("usr/bin/crio"), "#!/bin/sh\nexit 0\n", 0755);
            }
        }
        Files.createDirectories(root.resolve("usr/local/sbin"));
        Files.createDirectories(root.resolve("etc/systemd/system"));
        Path proc = dir.resolve("proc");
        write(proc.resolve("sys/kernel/osrelease"), kernel + "\n", 0444);
        return new FakeNode(root, proc, dist(dir.resolve("dist")));
    }

    /** The containerd binary's place, answering --version as that containerd does. */
    private static void fakeContainerd(Path root, String version) throws IOException {
        write(root.resolve("usr/bin/containerd"), "#!/bin/sh\necho '" + version + "'\n", 0755);
    }

    private static Path dist(Path dist) throws IOException {
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
        Files.createDirectories(dist.resolve("bin"));
        Files.write(dist.resolve("bin/sysbox-runc"), elf);
        Files.setAttribute(dist.resolve("bin/sysbox-runc"), "unix:mode", 0755);
        write(dist.resolve("bin/sysbox-mgr"), "#!/bin/sh\n. \"$SYSBOX_BIN/../lib/launcher.sh\"\n", 0755);
        write(dist.resolve("bin/sysboxd"), "#!/bin/sh\nexec sleep infinity\n", 0755);
        write(dist.resolve("lib/sysbox-mgr.jar"), "PK fake jar", 0644);
        write(dist.resolve("lib/launcher.sh"), "launch() { :; }\n", 0644);
        Files.createDirectories(dist.resolve("libexec"));
        Files.write(dist.resolve("libexec/sysbox-procsys-hook"), elf);
        Files.setAttribute(dist.resolve("libexec/sysbox-procsys-hook"), "unix:mode", 0755);
        copy(OCI_HOOKS_FILE, dist.resolve("share/containers/oci/hooks.d/sysbox.json"));
        try (Stream<Path> units = Files.list(UNITS)) {
            for (Path u : units.toList()) copy(u, dist.resolve("systemd").resolve(u.getFileName()));
        }
        return dist;
    }

    HostRoot host() {
        return new HostRoot(root);
    }

    DistInstall distInstall() {
        return new DistInstall(dist, DistInstall.DEFAULT_PREFIX, DistInstall.SYSTEMD_DIR, DaemonFlags.NONE);
    }

    NodeInstaller installer(ServiceControl services) {
        return new NodeInstaller(host(), new NodeSupport(proc), services, distInstall());
    }

    /** Every path under the root with its kind, mode, owner and bytes (or link target): byte-for-byte comparisons. */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = "/" + root.relativize(p);
                int mode = ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
                String owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                        + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                String what;
                if (Files.isSymbolicLink(p)) what = "link -> " + Files.readSymbolicLink(p);
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) what = "dir " + Integer.toOctalString(mode) + " " + owner;
                else what = "file " + Integer.toOctalString(mode) + " " + owner + " " + HexFormat.of().formatHex(Files.readAllBytes(p));
                tree.put(key, what);
            }
        }
        return tree;
    }

    /** How many tables named sysbox-runc the runtime configs under /etc hold, over all files. */
    int handlerTables() throws IOException {
        int count = 0;
        for (Path dir : List.of(root.resolve("etc/containerd"), root.resolve("etc/crio"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (line.strip().startsWith("[") && line.strip().endsWith("runtimes.sysbox-runc]")) count++;
                    }
                }
            }
        }
        return count;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
        Files.setAttribute(to, "unix:mode", 0644);
    }

    private static void write(Path file, String content, int mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setAttribute(file, "unix:mode", mode);
    }
}
