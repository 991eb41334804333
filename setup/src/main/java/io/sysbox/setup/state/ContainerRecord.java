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
 * rule, state reports the caller's bundle): kept in the container's private directory.
 */
public record ContainerRecord(String bundle, boolean honorCaps, boolean syscontMode, boolean managed,
                              ObjectNode knobs) {
    public static final String FILE = ContainerRecordFiles.RECORD;

    /**
     * Writes the record, and for an unmanaged container a marker file: delete decides whether
     * to call the manager without parsing JSON (see ContainerRecordFiles).
     */
    public void write(Path containerDir) throws IOException {
        if (!managed) Files.createFile(containerDir.resolve(ContainerRecordFiles.UNMANAGED_MARKER));
        ObjectNode node = Spec.JSON.createObjectNode();
        node.put("bundle", bundle).put("honorCaps", honorCaps).put("syscontMode", syscontMode)
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
        return Optional.of(new ContainerRecord(node.path("bundle").asText(), node.path("honorCaps").asBoolean(),
                node.path("syscontMode").asBoolean(true), node.path("managed").asBoolean(),
                knobs instanceof ObjectNode o ? o : Spec.JSON.createObjectNode()));
    }
}
