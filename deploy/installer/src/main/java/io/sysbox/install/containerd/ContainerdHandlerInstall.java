package io.sysbox.install.containerd;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.install.containerd.HandlerChange.Placement;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.toml.InvalidConfigException;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.undo.ChangeJournal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes a runtime handler into a host's containerd config, through the change journal.
 *
 * <p>Where: a drop-in of its own when the config imports a directory ({@code imports =
 * ["/etc/containerd/conf.d/*.toml"]}) and the drop-in cannot take anything away. containerd 1.x
 * merges an imported file by replacing whole plugin sections, so a drop-in with the CRI plugin's
 * runtimes would drop the operator's other CRI settings: on 1.x the drop-in is used only when no
 * other file has a CRI plugin section. containerd 2.x merges plugin sections key by key. Else the
 * handler is appended to the main config, leaving every byte before it as it was. A drop-in has
 * the main config's {@code version} (containerd refuses a drop-in of a higher one).
 *
 * <p>Which version: the config's {@code version} says the schema (2: containerd 1.x's
 * {@code io.containerd.grpc.v1.cri}; 3: containerd 2.x's {@code io.containerd.cri.v1.runtime});
 * the binary's version says how imports merge, and which schema a new config gets.
 */
public final class ContainerdHandlerInstall {
    /** The journal's owner of what this writes. */
    public static final String OWNER = "containerd";
    public static final Path DEFAULT_CONFIG = Path.of("/etc/containerd/config.toml");
    static final String MARKER = "# sysbox-runc handler, added by sysbox-install (undone by its --uninstall)";
    private static final int NEW_FILE_MODE = 0644;

    private final HostRoot host;
    private final Path config;
    private final Optional<Integer> binaryMajor;

    /** CONFIG is the main config's host path; BINARY_MAJOR the containerd version, when known. */
    public ContainerdHandlerInstall(HostRoot host, Path config, Optional<Integer> binaryMajor) {
        this.host = host;
        this.config = config;
        this.binaryMajor = binaryMajor;
    }

    /** For HOST's containerd: its default config path and the version its binary reports. */
    public static ContainerdHandlerInstall detect(HostRoot host) {
        return new ContainerdHandlerInstall(host, DEFAULT_CONFIG,
                ContainerdBinary.find(host).flatMap(ContainerdBinary::major));
    }

    /** Where the handler would go and with what text, without changing anything; refused configs throw here. */
    public Plan plan(ContainerdHandler handler) throws IOException {
        Path mainLocal = host.resolve(config);
        if (!Files.exists(mainLocal)) {
            int major = binaryMajor.orElseThrow(() -> new InvalidConfigException("no " + config + " and no containerd"
                    + " binary that tells its version (" + ContainerdBinary.LOCATIONS + "): is containerd installed?"
                    + " Pass the config's path if it is elsewhere"));
            ContainerdSchema schema = ContainerdSchema.forMajor(major);
            String text = "version = " + schema.version() + "\n\n" + MARKER + "\n" + handler.section(schema);
            return new Plan(config, Placement.MAIN_FILE, schema, text.getBytes(StandardCharsets.UTF_8), false);
        }
        byte[] mainBytes = Files.readAllBytes(mainLocal);
        TomlDocument main = TomlDocument.parse(config, mainBytes);
        int version = main.root().path("version").asInt(1);
        ContainerdSchema schema = ContainerdSchema.ofVersion(version).orElseThrow(() -> new InvalidConfigException(
                config + " is a version " + version + " config: the installer writes versions 2 (containerd 1.x) and 3"
                        + " (2.x); migrate it first (`containerd config migrate`, or add `version = 2` if it has no"
                        + " plugin sections yet); nothing was changed"));
        List<Path> imported = imported(main);
        Optional<Path> dropIn = dropInPath(main);
        List<TomlDocument> others = new ArrayList<>();
        for (Path p : imported) {
            if (dropIn.isPresent() && p.equals(dropIn.get())) continue;
            others.add(TomlDocument.parse(p, Files.readAllBytes(host.resolve(p))));
        }
        for (TomlDocument other : others) {
            if (!handler.in(other, schema).isMissingNode()) {
                throw new InvalidConfigException(other.file() + " (imported by " + config + ") already defines the runtime"
                        + " \"" + handler.name() + "\": remove it there or install with that file as the config; nothing was changed");
            }
        }
        if (handler.isIn(main, schema)) return new Plan(config, Placement.MAIN_FILE, schema, mainBytes, true);
        if (dropIn.isPresent() && Files.isRegularFile(host.resolve(dropIn.get()))) {
            byte[] dropInBytes = Files.readAllBytes(host.resolve(dropIn.get()));
            if (handler.isIn(TomlDocument.parse(dropIn.get(), dropInBytes), schema)) {
                return new Plan(dropIn.get(), Placement.DROP_IN, schema, dropInBytes, true);
            }
        }
        JsonNode inMain = handler.in(main, schema);
        String mainText = new String(mainBytes, StandardCharsets.UTF_8);
        boolean ourBlock = mainText.contains(MARKER);
        if (!inMain.isMissingNode() && !ourBlock) {
            throw new InvalidConfigException(config + " already defines the runtime \"" + handler.name() + "\" otherwise ("
                    + inMain + "): remove that section or make it run " + handler.binary() + "; nothing was changed");
        }
        if (ourBlock) {
            byte[] rewritten = replaceBlock(mainText, handler.section(schema)).getBytes(StandardCharsets.UTF_8);
            return checked(new Plan(config, Placement.MAIN_FILE, schema, rewritten, false), handler, schema);
        }
        boolean dropInSafe = binaryMajor.orElse(1) >= 2
                || (main.at("plugins", schema.plugin()).isMissingNode()
                        && others.stream().allMatch(d -> d.at("plugins", schema.plugin()).isMissingNode()));
        if (dropIn.isPresent() && dropInSafe) {
            String text = "version = " + schema.version() + "\n\n" + MARKER + "\n" + handler.section(schema);
            return checked(new Plan(dropIn.get(), Placement.DROP_IN, schema, text.getBytes(StandardCharsets.UTF_8), false),
                    handler, schema);
        }
        String separator = mainText.isEmpty() ? "" : mainText.endsWith("\n") ? "\n" : "\n\n";
        byte[] appended = (mainText + separator + MARKER + "\n" + handler.section(schema)).getBytes(StandardCharsets.UTF_8);
        return checked(new Plan(config, Placement.MAIN_FILE, schema, appended, false), handler, schema);
    }

    /** Writes what {@link #plan} says (nothing when the handler is there already). */
    public HandlerChange install(ChangeJournal journal, ContainerdHandler handler) throws IOException {
        return apply(journal, plan(handler));
    }

    public static HandlerChange apply(ChangeJournal journal, Plan plan) throws IOException {
        if (plan.alreadyThere()) return new HandlerChange(plan.file(), plan.placed(), false);
        boolean changed = journal.write(OWNER, plan.file(), plan.content(), NEW_FILE_MODE);
        return new HandlerChange(plan.file(), plan.placed(), changed);
    }

    /** Puts every file this wrote back as it was; the host paths restored. */
    public static List<Path> uninstall(ChangeJournal journal) throws IOException {
        return journal.restore(OWNER);
    }

    /**
     * What would be written where.
     *
     * @param alreadyThere the file says it all already (written by the operator or an earlier install)
     */
    public record Plan(Path file, Placement placed, ContainerdSchema schema, byte[] content, boolean alreadyThere) {}

    /** The written file must read back as TOML with the handler in it: else nothing is written. */
    private Plan checked(Plan plan, ContainerdHandler handler, ContainerdSchema schema) throws InvalidConfigException {
        TomlDocument after;
        try {
            after = TomlDocument.parse(plan.file(), plan.content());
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(plan.file() + ": adding the handler would make it invalid TOML (is the"
                    + " runtimes table written inline?): add it by hand; nothing was changed");
        }
        if (!handler.isIn(after, schema)) {
            throw new InvalidConfigException(plan.file() + ": the handler does not read back from the file with it"
                    + " added: add it by hand; nothing was changed");
        }
        return plan;
    }

    /** Our earlier block (marker line up to the next blank line or the end) replaced by SECTION. */
    private static String replaceBlock(String text, String section) {
        int start = text.indexOf(MARKER);
        int end = text.indexOf("\n\n", start);
        String tail = end < 0 ? "" : text.substring(end + 1);
        return text.substring(0, start) + MARKER + "\n" + section + tail;
    }

    /** The files the main config imports that exist now (globs expanded, relative to its directory). */
    private List<Path> imported(TomlDocument main) throws IOException {
        List<Path> files = new ArrayList<>();
        for (JsonNode entry : main.root().path("imports")) {
            Path pattern = resolveImport(entry.asText());
            String name = pattern.getFileName().toString();
            if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
                if (Files.isRegularFile(host.resolve(pattern))) files.add(pattern);
                continue;
            }
            Path dir = host.resolve(pattern.getParent());
            if (!Files.isDirectory(dir)) continue;
            var matcher = dir.getFileSystem().getPathMatcher("glob:" + name);
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p)).sorted()
                        .forEach(p -> files.add(pattern.getParent().resolve(p.getFileName())));
            }
        }
        return files;
    }

    /**
     * The drop-in's host path: in the directory of the first import of the form
     * {@code DIR/PREFIX*SUFFIX} (no wildcard in DIR), named PREFIX + "sysbox-runc" + SUFFIX.
     */
    Optional<Path> dropInPath(TomlDocument main) {
        for (JsonNode entry : main.root().path("imports")) {
            Path pattern = resolveImport(entry.asText());
            String name = pattern.getFileName().toString();
            int star = name.indexOf('*');
            if (star < 0 || name.indexOf('*', star + 1) >= 0 || name.contains("?") || name.contains("[")) continue;
            String dir = pattern.getParent().toString();
            if (dir.contains("*") || dir.contains("?") || dir.contains("[")) continue;
            return Optional.of(pattern.getParent().resolve(name.substring(0, star) + ContainerdHandler.SYSBOX
                    + name.substring(star + 1)));
        }
        return Optional.empty();
    }

    private Path resolveImport(String entry) {
        Path path = Path.of(entry);
        return (path.isAbsolute() ? path : config.getParent().resolve(path)).normalize();
    }
}
