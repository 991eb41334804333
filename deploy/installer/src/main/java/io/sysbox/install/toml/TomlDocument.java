package io.sysbox.install.toml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A runtime's TOML config as read (containerd's config.toml, CRI-O's crio.conf and drop-ins):
 * for detection and for checking what the installer writes. The installer never writes a parsed
 * tree back (that would reformat the operator's file); it writes its own sections as text.
 *
 * @param file the host path it was read from, for messages
 * @param root the parsed tables
 */
public record TomlDocument(Path file, JsonNode root) {
    private static final TomlMapper TOML = new TomlMapper();

    /** Parses BYTES (the content of FILE); a syntax error names the file, line and column. */
    public static TomlDocument parse(Path file, byte[] bytes) throws InvalidConfigException {
        try {
            JsonNode root = TOML.readTree(new String(bytes, StandardCharsets.UTF_8));
            return new TomlDocument(file, root == null ? TOML.createObjectNode() : root);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidConfigException(file + ": not valid TOML" + where + ": " + e.getOriginalMessage()
                    + "; the runtime cannot start with it either: fix it first; nothing was changed");
        }
    }

    /** The value at KEYS (table names, then a key), or a missing node. */
    public JsonNode at(String... keys) {
        JsonNode node = root;
        for (String key : keys) {
            node = node.path(key);
            if (node.isMissingNode()) return MissingNode.getInstance();
        }
        return node;
    }
}
