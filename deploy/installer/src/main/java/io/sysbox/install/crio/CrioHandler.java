package io.sysbox.install.crio;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.toml.TomlText;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CRI-O runtime handler NAME that runs the OCI runtime at RUNTIME_PATH through conmon
 * ({@code runtime_type = "oci"}). RUNTIME_ROOT, when not null, is its state root
 * ({@code runtime_root}; CRI-O passes it as {@code --root}).
 */
public record CrioHandler(String name, Path runtimePath, Path runtimeRoot) {
    public static final String SYSBOX = "sysbox-runc";
    public static final String OCI = "oci";
    /**
     * The pod annotations CRI-O lets through to this handler. sysbox-cri puts the pod's range into
     * {@code io.kubernetes.cri-o.userns-mode}, which CRI-O turns into the sandbox's user namespace
     * only for a handler that allows it. sysbox-runc itself honours no {@code io.sysbox.*}
     * annotation: it recognises pods by the annotations CRI-O always writes.
     */
    public static final List<String> ALLOWED_ANNOTATIONS = List.of("io.kubernetes.cri-o.userns-mode");

    public CrioHandler {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("handler name is empty");
        if (!runtimePath.isAbsolute()) {
            throw new IllegalArgumentException("runtime path \"" + runtimePath + "\" is relative: CRI-O needs an absolute path");
        }
    }

    public static CrioHandler sysbox(Path runtimePath) {
        return new CrioHandler(SYSBOX, runtimePath, null);
    }

    /**
     * The drop-in's text: {@code drop_infra_ctr = false} under {@code [crio.runtime]}, then the
     * handler's table. A sysbox-runc pod's infra container holds the pod's user namespace; with
     * CRI-O's default (true) pods that share no pid namespace (the kubelet's default) run without
     * one and their containers are refused, so the setting is part of the handler.
     */
    public String section() {
        List<String> quoted = new ArrayList<>();
        for (String a : ALLOWED_ANNOTATIONS) quoted.add(TomlText.string(a));
        StringBuilder toml = new StringBuilder()
                .append("[crio.runtime]\n")
                .append("drop_infra_ctr = false\n\n")
                .append("[crio.runtime.runtimes.").append(TomlText.key(name)).append("]\n")
                .append("runtime_path = ").append(TomlText.string(runtimePath.toString())).append('\n')
                .append("runtime_type = ").append(TomlText.string(OCI)).append('\n');
        if (runtimeRoot != null) toml.append("runtime_root = ").append(TomlText.string(runtimeRoot.toString())).append('\n');
        toml.append("allowed_annotations = [").append(String.join(", ", quoted)).append("]\n");
        return toml.toString();
    }

    /** The handler's table in CONFIG (missing node when it has none). */
    public JsonNode in(TomlDocument config) {
        return config.at("crio", "runtime", "runtimes", name);
    }
}
