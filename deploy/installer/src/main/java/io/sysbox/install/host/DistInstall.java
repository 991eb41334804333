package io.sysbox.install.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.install.undo.ChangeJournal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies the built layout (dist/: bin, lib, libexec, share, systemd) onto a host, through the change
 * journal, as deploy/host/install.sh lays it out: the files in PREFIX/lib/sysbox, each command in
 * PREFIX/sbin (a link to a compiled binary, which finds its libexec/ through /proc/self/exe; a
 * two-line script for a JVM launcher, which finds its lib/ from $0), the units in the systemd
 * directory with the daemons' units in sysboxd.service.wants, and sysboxd enabled (the link
 * `systemctl enable` makes, made here so that undo takes it away too). Daemon flags become unit
 * drop-ins that append to ExecStart.
 */
public record DistInstall(Path dist, Path prefix, Path systemdDir, DaemonFlags flags) {
    public static final String OWNER = "binaries";
    public static final Path DEFAULT_PREFIX = Path.of("/usr/local");
    public static final Path SYSTEMD_DIR = Path.of("/etc/systemd/system");
    private static final List<String> TREES = List.of("bin", "lib", "libexec", "share");
    /** The OCI hooks file (Podman, CRI-O with plain runc), relative to dist/ and to the home. */
    static final Path OCI_HOOKS_FILE = Path.of("share/containers/oci/hooks.d/sysbox.json");
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
    private static final String FLAGS_DROP_IN = "50-sysbox-deploy-flags.conf";

    /** What a copy came to: whether any binary or unit changed. */
    public record Outcome(boolean binariesChanged, boolean unitsChanged) {
        public boolean changed() {
            return binariesChanged || unitsChanged;
        }
    }

    public DistInstall {
        if (!prefix.isAbsolute() || !systemdDir.isAbsolute()) {
            throw new IllegalArgumentException("the prefix and the systemd directory are host paths: absolute");
        }
    }

    /** Checks the layout is there, before anything is changed. */
    public void check() throws IOException {
        for (String tree : List.of("bin", "lib", "libexec", "systemd")) {
            if (!Files.isDirectory(dist.resolve(tree))) {
                throw new IOException(dist.resolve(tree) + " is missing: " + dist + " is not a built dist/ layout"
                        + " (./mvnw package makes one; the DaemonSet image holds one); pass it with --dist");
            }
        }
        if (!Files.isRegularFile(dist.resolve("bin/sysbox-runc"))) {
            throw new IOException(dist.resolve("bin/sysbox-runc") + " is missing: build first (./mvnw package)");
        }
    }

    public Path home() {
        return prefix.resolve("lib/sysbox");
    }

    /** The runtime as the engines run it: PREFIX/sbin/sysbox-runc. */
    public Path sysboxRunc() {
        return prefix.resolve("sbin/sysbox-runc");
    }

    public Outcome install(ChangeJournal journal) throws IOException {
        check();
        boolean binaries = false;
        for (String tree : TREES) {
            Path from = dist.resolve(tree);
            List<Path> files;
            try (Stream<Path> walk = Files.walk(from)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                Path relative = dist.relativize(file);
                Path to = home().resolve(relative.toString());
                byte[] content = relative.equals(OCI_HOOKS_FILE) ? hooksFileFor(file) : Files.readAllBytes(file);
                binaries |= journal.write(OWNER, to, content, mode(file));
            }
        }
        for (Path command : list(dist.resolve("bin"))) {
            String name = command.getFileName().toString();
            Path installed = home().resolve("bin").resolve(name);
            Path link = prefix.resolve("sbin").resolve(name);
            if (isElf(command)) {
                binaries |= journal.symlink(OWNER, link, installed);
            } else {
                byte[] wrapper = ("#!/bin/sh\nexec " + installed + " \"$@\"\n").getBytes(StandardCharsets.UTF_8);
                binaries |= journal.write(OWNER, link, wrapper, 0755);
            }
        }
        return new Outcome(binaries, installUnits(journal));
    }

    private boolean installUnits(ChangeJournal journal) throws IOException {
        boolean changed = false;
        Path wants = systemdDir.resolve("sysboxd.service.wants");
        for (Path unit : list(dist.resolve("systemd"))) {
            String name = unit.getFileName().toString();
            String text = Files.readString(unit, StandardCharsets.UTF_8).replace("/usr/local/sbin/", prefix + "/sbin/");
            boolean wanted = name.equals("sysbox-mgr.service") || name.equals("sysbox-fs.service");
            Path target = wanted ? wants.resolve(name) : systemdDir.resolve(name);
            changed |= journal.write(OWNER, target, text.getBytes(StandardCharsets.UTF_8), 0644);
            if (wanted) {
                changed |= journal.symlink(OWNER, systemdDir.resolve(name), Path.of("sysboxd.service.wants", name));
            }
            List<String> extra = name.equals("sysbox-mgr.service") ? flags.manager()
                    : name.equals("sysbox-fs.service") ? flags.fs() : List.of();
            if (!extra.isEmpty()) {
                changed |= journal.write(OWNER, systemdDir.resolve(name + ".d").resolve(FLAGS_DROP_IN),
                        flagsDropIn(text, extra, unit).getBytes(StandardCharsets.UTF_8), 0644);
            }
        }
        changed |= journal.symlink(OWNER, systemdDir.resolve("multi-user.target.wants/sysboxd.service"),
                systemdDir.resolve("sysboxd.service"));
        return changed;
    }

    /**
     * The OCI hooks file names the hook by its path: the installed hook's, not the build's (the
     * engines read the file from wherever the operator links or copies it).
     */
    private byte[] hooksFileFor(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode doc = json.readTree(file.toFile());
        if (!(doc.path("hook") instanceof ObjectNode hook)) {
            throw new IOException(file + " has no \"hook\" object: not an OCI hooks file (rebuild dist/)");
        }
        hook.put("path", home().resolve("libexec/sysbox-oci-hook").toString());
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    }

    /** A drop-in that replaces the unit's ExecStart by the same line with EXTRA appended. */
    private static String flagsDropIn(String unitText, List<String> extra, Path unit) throws IOException {
        String execStart = unitText.lines().filter(l -> l.startsWith("ExecStart=")).findFirst()
                .orElseThrow(() -> new IOException(unit + " has no ExecStart line to add daemon flags to"));
        return "# Daemon flags from the sysbox-deploy ConfigMap\n[Service]\nExecStart=\n" + execStart + " "
                + String.join(" ", extra) + "\n";
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return new ArrayList<>(entries.filter(Files::isRegularFile).sorted().toList());
        }
    }

    private static boolean isElf(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return java.util.Arrays.equals(head, ELF);
        }
    }

    private static int mode(Path file) throws IOException {
        return ((Integer) Files.getAttribute(file, "unix:mode")) & 0777;
    }

    public static List<Path> uninstall(ChangeJournal journal) throws IOException {
        return journal.restore(OWNER);
    }
}
