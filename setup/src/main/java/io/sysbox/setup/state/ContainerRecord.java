package io.sysbox.setup.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What sysbox-runc fixes at create and needs again later (exec applies the same capability
 * rule, state reports the caller's bundle and rootfs): kept in the container's private directory.
 * {@code rootfs} is the caller's root.path as runc would record it (relative to the bundle when
 * it is relative); empty in a record written before it was kept.
 */
public record ContainerRecord(String bundle, String rootfs, boolean honorCaps, boolean syscontMode, boolean managed,
                              ObjectNode knobs) {
    public static final String FILE = ContainerRecordFiles.RECORD;

    /**
     * Writes the record, and for an unmanaged container a marker file: delete decides whether
     * to call the manager without parsing JSON (see ContainerRecordFiles).
     */
    public void write(Path containerDir) throws IOException {
        if (!managed) Files.createFile(containerDir.resolve(ContainerRecordFiles.UNMANAGED_MARKER));
        ObjectNode node = Spec.JSON.createObjectNode();
        node.put("bundle", bundle).put("rootfs", rootfs).put("honorCaps", honorCaps).put("syscontMode", syscontMode)
                .put("managed", managed).set("knobs", knobs);
        Path tmp = containerDir.resolve(FILE + ".tmp");
        Files.write(tmp, Spec.JSON.writeValueAsBytes(node));
        Files.move(tmp, containerDir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static Optional<ContainerRecord> read(Path containerDir) throws IOException {
        JsonNode node;
        try {
            node = Spec.JSON.readTree(Files.readAllBytes(containerDir.resolve(FILE)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode knobs = node.path("knobs");
        return Optional.of(new ContainerRecord(node.path("bundle").asText(), node.path("rootfs").asText(""),
                node.path("honorCaps").asBoolean(),
                node.path("syscontMode").asBoolean(true), node.path("managed").asBoolean(),
                knobs instanceof ObjectNode o ? o : Spec.JSON.createObjectNode()));
    }

    /**
     * The engine's OCI state as the caller must see it: runc was handed sysbox-runc's private
     * bundle and the manager's shifted rootfs, the caller gave its own (engines read both back:
     * runtime-tools compares the bundle, Podman and CRI-O show what `state` says).
     */
    public void toCallerState(ObjectNode state) {
        state.put("bundle", bundle);
        if (!rootfs.isEmpty() && state.has("rootfs")) state.put("rootfs", rootfs);
    }

    /** runc's rootfs for ROOT_PATH: absolute as written, else joined to the bundle and cleaned. */
    public static String callerRootfs(Path bundle, String rootPath) {
        Path root = Path.of(rootPath);
        return root.isAbsolute() ? rootPath : bundle.resolve(root).normalize().toString();
    }
}
