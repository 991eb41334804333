package io.sysbox.install.containerd;

import io.sysbox.install.toml.TomlText;

import java.util.Optional;

/**
 * Where a containerd config of a given {@code version} keeps its CRI runtimes. containerd 1.x reads
 * version 2 (its CRI plugin {@code io.containerd.grpc.v1.cri}); containerd 2.x writes version 3
 * (the runtime part of CRI split out as {@code io.containerd.cri.v1.runtime}) and still reads
 * version 2, migrating it at start.
 */
public enum ContainerdSchema {
    V2(2, "io.containerd.grpc.v1.cri"),
    V3(3, "io.containerd.cri.v1.runtime");

    private final int version;
    private final String plugin;

    ContainerdSchema(int version, String plugin) {
        this.version = version;
        this.plugin = plugin;
    }

    public int version() {
        return version;
    }

    /** The plugin whose section holds {@code containerd.runtimes}. */
    public String plugin() {
        return plugin;
    }

    /** The TOML table name of runtime NAME. */
    public String runtimeTable(String name) {
        return "plugins." + TomlText.string(plugin) + ".containerd.runtimes." + TomlText.key(name);
    }

    public static Optional<ContainerdSchema> ofVersion(int version) {
        for (ContainerdSchema s : values()) if (s.version == version) return Optional.of(s);
        return Optional.empty();
    }

    /** The schema a new config gets for a containerd of MAJOR version. */
    public static ContainerdSchema forMajor(int major) {
        return major >= 2 ? V3 : V2;
    }
}
