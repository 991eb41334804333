package io.sysbox.mgr.specialdirs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the inner dockerd keeps its images: {@code data-root} of the image's
 * {@code /etc/docker/daemon.json} (or its old name {@code graph}), else /var/lib/docker.
 * A file dockerd itself would reject leaves the default, with a warning: the special dir
 * still helps a dockerd started with other options.
 */
final class DockerDataRoot {
    static final String DEFAULT = "/var/lib/docker";
    private static final String CONFIG = "/etc/docker/daemon.json";
    private static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerDataRoot() {}

    static String of(Path rootfs, String id, Logger log) throws IOException {
        Path config = RootfsPath.resolve(rootfs, CONFIG);
        if (!Files.isRegularFile(config)) return DEFAULT;
        if (Files.size(config) > MAX_CONFIG_BYTES) {
            log.warn("container {}: {} is larger than {} bytes; not reading it, docker's data root stays {}",
                    id, CONFIG, MAX_CONFIG_BYTES, DEFAULT);
            return DEFAULT;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(config));
        } catch (IOException e) {
            log.warn("container {}: {} of its image is not valid JSON ({}); docker's data root stays {}",
                    id, CONFIG, e.getMessage(), DEFAULT);
            return DEFAULT;
        }
        if (root == null || !root.isObject()) return DEFAULT;
        JsonNode value = root.has("data-root") ? root.get("data-root") : root.get("graph");
        if (value == null || value.isNull()) return DEFAULT;
        String text = value.isTextual() ? value.asText() : "";
        if (!text.startsWith("/")) {
            log.warn("container {}: data-root {} in {} of its image is not an absolute path; docker's data root stays {}",
                    id, value, CONFIG, DEFAULT);
            return DEFAULT;
        }
        String normalized = Path.of(text).normalize().toString();
        if (normalized.equals("/")) {
            log.warn("container {}: data-root / in {} of its image would hide the whole rootfs; docker's data root stays {}",
                    id, CONFIG, DEFAULT);
            return DEFAULT;
        }
        return normalized;
    }
}
