package io.sysbox.common.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI runtime spec (config.json). Kept as a JSON tree so fields this runtime does not know
 * (newer spec versions, engine annotations) pass through to the low-level runtime untouched;
 * typed accessors cover what the conversion reads and edits.
 */
public final class Spec {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root;

    public Spec(ObjectNode root) {
        this.root = root;
    }

    /**
     * The largest config.json read. A spec is a few KiB (a pod's, with every annotation, well under
     * one MiB); the spec is read inside the manager, a daemon every container shares, so a huge
     * file must be refused before it is read, not fill the daemon's heap.
     */
    public static final long MAX_CONFIG_BYTES = 16L << 20;

    /** Reads a bundle's config.json; the message says what is wrong and where. */
    public static Spec read(Path configJson) throws InvalidSpecException {
        byte[] bytes;
        try {
            // A FIFO or a device would block the read (or never end): only a regular file is opened.
            BasicFileAttributes attributes = Files.readAttributes(configJson, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new InvalidSpecException(configJson + ": not a regular file (it is a "
                        + (attributes.isDirectory() ? "directory" : "FIFO, socket or device")
                        + "); the bundle's config.json must be a plain file");
            }
            bytes = readBounded(configJson);
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException(configJson + ": no such file (is --bundle the bundle directory?)");
        } catch (IOException e) {
            throw new InvalidSpecException(configJson + ": " + e.getMessage());
        }
        return parse(bytes, configJson.toString());
    }

    /** The file's bytes, refused past MAX_CONFIG_BYTES (counted while reading: the size may change under us). */
    private static byte[] readBounded(Path configJson) throws IOException, InvalidSpecException {
        try (InputStream in = Files.newInputStream(configJson)) {
            byte[] bytes = in.readNBytes((int) MAX_CONFIG_BYTES + 1);
            if (bytes.length > MAX_CONFIG_BYTES) {
                throw new InvalidSpecException(configJson + ": larger than " + (MAX_CONFIG_BYTES >> 20)
                        + " MiB (" + Files.size(configJson) + " bytes); a spec is a few KiB, so this is not one:"
                        + " check what wrote it");
            }
            return bytes;
        }
    }

    public static Spec parse(byte[] bytes, String where) throws InvalidSpecException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidSpecException(where + ": malformed JSON: " + describe(e));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidSpecException(where + ": the spec must be a JSON object");
        }
        return new Spec(object);
    }

    private static String describe(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
            return jpe.getOriginalMessage() + " (line " + jpe.getLocation().getLineNr()
                    + ", column " + jpe.getLocation().getColumnNr() + ")";
        }
        return e.getMessage();
    }

    public void write(Path configJson) throws IOException {
        Files.write(configJson, JSON.writeValueAsBytes(root));
    }

    public ObjectNode json() {
        return root;
    }

    public ObjectNode object(String field) {
        return objectIn(root, field);
    }

    public ObjectNode process() {
        return object("process");
    }

    public ObjectNode linux() {
        return object("linux");
    }

    public ArrayNode mounts() {
        return arrayIn(root, "mounts");
    }

    /** root.path; relative paths are relative to the bundle. */
    public Optional<String> rootPath() {
        JsonNode path = root.path("root").path("path");
        return path.isTextual() ? Optional.of(path.asText()) : Optional.empty();
    }

    public boolean rootReadonly() {
        return root.path("root").path("readonly").asBoolean(false);
    }

    public List<String> args() {
        List<String> args = new ArrayList<>();
        root.path("process").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    public List<String> env() {
        List<String> env = new ArrayList<>();
        root.path("process").path("env").forEach(e -> env.add(e.asText()));
        return env;
    }

    /** The value of NAME in process.env (the last definition wins, as execve sees it). */
    public Optional<String> envValue(String name) {
        String prefix = name + "=";
        String found = null;
        for (String e : env()) {
            if (e.startsWith(prefix)) found = e.substring(prefix.length());
        }
        return Optional.ofNullable(found);
    }

    public List<Namespace> namespaces() {
        List<Namespace> list = new ArrayList<>();
        root.path("linux").path("namespaces").forEach(n -> list.add(new Namespace(
                n.path("type").asText(), n.hasNonNull("path") ? n.get("path").asText() : null)));
        return list;
    }

    public List<IdMapping> uidMappings() {
        return IdMapping.listOf(root.path("linux").path("uidMappings"));
    }

    public List<IdMapping> gidMappings() {
        return IdMapping.listOf(root.path("linux").path("gidMappings"));
    }

    public List<Mount> mountList() {
        List<Mount> list = new ArrayList<>();
        root.path("mounts").forEach(m -> list.add(Mount.of(m)));
        return list;
    }

    public static ObjectNode objectIn(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node instanceof ObjectNode o) return o;
        return parent.putObject(field);
    }

    public static ArrayNode arrayIn(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node instanceof ArrayNode a) return a;
        return parent.putArray(field);
    }
}
