package io.sysbox.install.docker;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sysbox.install.host.AtomicFileReplacement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's daemon.json, edited the way an operator would by hand: the sysbox runtime is added to
 * (or removed from) {@code "runtimes"}, {@code "default-runtime"} is set only when asked, and every
 * other key keeps its value and its place. A file that cannot be read as a JSON object is refused
 * and left byte for byte as it was.
 */
public final class DockerDaemonConfig {
    public static final Path DEFAULT_FILE = Path.of("/etc/docker/daemon.json");
    /** Mode of a daemon.json this creates: what Docker's packages and docs use. */
    static final int NEW_FILE_MODE = 0644;
    /** The runtime dockerd always has, and its default when default-runtime is unset. */
    public static final String STOCK_RUNTIME = "runc";

    private static final JsonMapper JSON = JsonMapper.builder()
            // Two equal keys would silently become one on rewrite: losing the operator's other value.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Numbers are written back as they were read (no 1.10 -> 1.1, no rounding).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private final Path file;

    public DockerDaemonConfig(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    /**
     * Makes {@code "runtimes": {NAME: {"path": RUNTIME_PATH}}} true (other runtimes stay) and, when
     * MAKE_DEFAULT, {@code "default-runtime": NAME}. Creates the file (mode 0644, parent directories)
     * when it is missing. Writes nothing when the file already says all of it.
     */
    public ConfigChange register(String name, Path runtimePath, boolean makeDefault) throws IOException {
        requireName(name);
        if (!runtimePath.isAbsolute()) {
            throw new IllegalArgumentException("runtime path \"" + runtimePath + "\" is relative: dockerd needs"
                    + " an absolute path, e.g. /usr/local/sbin/sysbox-runc");
        }
        Path target = writableTarget();
        boolean exists = Files.exists(target);
        ObjectNode root = read(target);
        ObjectNode before = root.deepCopy();
        List<String> changes = new ArrayList<>();
        if (!exists) changes.add("created " + target);

        ObjectNode runtimes = objectAt(root, "runtimes", target);
        if (runtimes == null) runtimes = root.putObject("runtimes");
        String path = runtimePath.toString();
        JsonNode entry = runtimes.get(name);
        if (entry == null || entry.isNull()) {
            runtimes.putObject(name).put("path", path);
            changes.add("added runtime \"" + name + "\" (path " + path + ")");
        } else if (!entry.isObject()) {
            throw new InvalidDaemonConfigException(target + ": \"runtimes\".\"" + name + "\" is " + describe(entry)
                    + ", not an object with a \"path\": fix or remove it by hand; nothing was changed");
        } else {
            ObjectNode runtime = (ObjectNode) entry;
            String old = runtime.path("path").asText(null);
            if (!path.equals(old)) {
                runtime.put("path", path);
                changes.add(old == null
                        ? "set runtime \"" + name + "\" path to " + path
                        : "changed runtime \"" + name + "\" path from " + old + " to " + path);
            }
            // dockerd refuses a runtime that has both a path and a shim type (with its options).
            for (String conflicting : List.of("runtimeType", "options")) {
                if (runtime.remove(conflicting) != null) {
                    changes.add("removed \"" + conflicting + "\" from runtime \"" + name
                            + "\" (dockerd takes a path or a runtimeType, not both)");
                }
            }
        }
        if (makeDefault) {
            JsonNode old = root.get("default-runtime");
            if (old == null || !name.equals(old.asText(null))) {
                root.put("default-runtime", name);
                changes.add("set default-runtime to \"" + name + "\" (was "
                        + (old == null ? "unset, i.e. runc" : old.isTextual() ? "\"" + old.asText() + "\"" : describe(old))
                        + ")");
            }
        }
        return finish(target, before, root, changes);
    }

    /**
     * Removes runtime NAME and, if {@code "default-runtime"} names it, points that back at Docker's
     * stock runtime "runc". Both keys stay in the file on purpose: on SIGHUP dockerd reloads
     * runtimes and default-runtime only when their keys are present, so a removed key would leave
     * sysbox-runc registered until dockerd restarts, and a default naming a runtime that a reload
     * dropped crashes dockerd 20.10 (nil runtime in its info). A missing file stays missing.
     */
    public ConfigChange unregister(String name) throws IOException {
        requireName(name);
        Path target = writableTarget();
        if (!Files.exists(target)) return new ConfigChange(target, List.of());
        ObjectNode root = read(target);
        ObjectNode before = root.deepCopy();
        List<String> changes = new ArrayList<>();
        ObjectNode runtimes = objectAt(root, "runtimes", target);
        if (runtimes != null && runtimes.remove(name) != null) {
            changes.add("removed runtime \"" + name + "\"");
        }
        JsonNode defaultRuntime = root.get("default-runtime");
        if (defaultRuntime != null && name.equals(defaultRuntime.asText(null)) && !name.equals(STOCK_RUNTIME)) {
            root.put("default-runtime", STOCK_RUNTIME);
            changes.add("set default-runtime back to \"" + STOCK_RUNTIME + "\" (was \"" + name + "\")");
        }
        return finish(target, before, root, changes);
    }

    private ConfigChange finish(Path target, ObjectNode before, ObjectNode after, List<String> changes)
            throws IOException {
        if (before.equals(after) && Files.exists(target)) return new ConfigChange(target, List.of());
        byte[] content = (PRETTY.writeValueAsString(after) + "\n").getBytes(StandardCharsets.UTF_8);
        new AtomicFileReplacement(target, NEW_FILE_MODE).write(content);
        return new ConfigChange(target, changes);
    }

    /**
     * The file to replace: a daemon.json that is a symlink (to a managed config elsewhere) is
     * edited where it points, so the link stays a link.
     */
    private Path writableTarget() throws IOException {
        if (!Files.isSymbolicLink(file)) return file;
        Path pointsTo = file.getParent().resolve(Files.readSymbolicLink(file)).normalize();
        if (Files.isSymbolicLink(pointsTo) || Files.exists(pointsTo)) return file.toRealPath();
        return pointsTo;
    }

    /** The file's JSON object: {} when missing or empty. */
    private static ObjectNode read(Path target) throws IOException {
        if (!Files.exists(target)) return JSON.createObjectNode();
        if (Files.isDirectory(target)) {
            throw new InvalidDaemonConfigException(target + " is a directory, not daemon.json; nothing was changed");
        }
        byte[] bytes = Files.readAllBytes(target);
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) return JSON.createObjectNode();
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidDaemonConfigException(target + ": malformed JSON" + where + ": " + e.getOriginalMessage()
                    + "; fix the file (dockerd will not start with it either); nothing was changed");
        }
        if (!node.isObject()) {
            throw new InvalidDaemonConfigException(target + ": the content is " + describe(node)
                    + ", but daemon.json must be a JSON object ({...}); nothing was changed");
        }
        return (ObjectNode) node;
    }

    /** ROOT's KEY when it is an object, null when absent (or JSON null); refused when another type. */
    private static ObjectNode objectAt(ObjectNode root, String key, Path target) throws InvalidDaemonConfigException {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) {
            throw new InvalidDaemonConfigException(target + ": \"" + key + "\" is " + describe(node)
                    + ", not an object of runtimes ({\"name\": {\"path\": ...}}): fix it by hand; nothing was changed");
        }
        return (ObjectNode) node;
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        if (text.length() > 60) text = text.substring(0, 57) + "...";
        return "a " + node.getNodeType().name().toLowerCase() + " (" + text + ")";
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("runtime name is empty");
    }
}
