package io.sysbox.install.containerd;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.toml.TomlText;

import java.nio.file.Path;

/**
 * A CRI runtime handler that runs a runc-compatible BINARY through containerd's runc shim
 * ({@code io.containerd.runc.v2} with {@code options.BinaryName}), as the kubelet selects it by
 * NAME (a RuntimeClass's handler). ROOT, when not null, is the runtime's state root
 * ({@code options.Root}; the shim passes {@code --root ROOT/<namespace>}).
 */
public record ContainerdHandler(String name, Path binary, Path root) {
    public static final String SYSBOX = "sysbox-runc";
    public static final String RUNC_SHIM = "io.containerd.runc.v2";

    public ContainerdHandler {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("handler name is empty");
        if (!binary.isAbsolute()) {
            throw new IllegalArgumentException("runtime path \"" + binary + "\" is relative: the shim needs an absolute path");
        }
    }

    /** sysbox-runc at BINARY with the runtime's own state root. */
    public static ContainerdHandler sysbox(Path binary) {
        return new ContainerdHandler(SYSBOX, binary, null);
    }

    /** The handler's tables for a config of SCHEMA, as text (each line ends in a newline). */
    public String section(ContainerdSchema schema) {
        String table = schema.runtimeTable(name);
        StringBuilder toml = new StringBuilder()
                .append('[').append(table).append("]\n")
                .append("  runtime_type = ").append(TomlText.string(RUNC_SHIM)).append('\n')
                .append('[').append(table).append(".options]\n")
                .append("  BinaryName = ").append(TomlText.string(binary.toString())).append('\n');
        if (root != null) toml.append("  Root = ").append(TomlText.string(root.toString())).append('\n');
        return toml.toString();
    }

    /** The handler's table in CONFIG (missing node when it has none). */
    public JsonNode in(TomlDocument config, ContainerdSchema schema) {
        return config.at("plugins", schema.plugin(), "containerd", "runtimes", name);
    }

    /** CONFIG already says what {@link #section} would: nothing to write. */
    public boolean isIn(TomlDocument config, ContainerdSchema schema) {
        JsonNode table = in(config, schema);
        JsonNode options = table.path("options");
        return RUNC_SHIM.equals(table.path("runtime_type").asText(null))
                && binary.toString().equals(options.path("BinaryName").asText(null))
                && (root == null || root.toString().equals(options.path("Root").asText(null)));
    }
}
