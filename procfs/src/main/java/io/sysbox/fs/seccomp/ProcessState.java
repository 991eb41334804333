package io.sysbox.fs.seccomp;

import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Optional;

/**
 * What the engine sends with a seccomp listener (the OCI runtime spec's "container process
 * state", runc ≥ 1.1): which container, which of the passed descriptors is the listener, and
 * which process it was made for.
 *
 * @param containerId the container's id (the runtime's, which sysbox-fs registered it under)
 * @param initPid     the container's init on the host
 * @param pid         the process the filter was installed in (the init itself, or an exec)
 * @param listenerIndex index of "seccompFd" among the passed descriptors
 */
public record ProcessState(String containerId, long initPid, long pid, int listenerIndex) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The state, once MESSAGE holds a whole JSON object; empty while more is to come. */
    public static Optional<ProcessState> parseWhole(byte[] message) throws IOException {
        try {
            return Optional.of(parse(message));
        } catch (JsonEOFException e) {
            return Optional.empty();
        }
    }

    public static ProcessState parse(byte[] message) throws IOException {
        JsonNode root = JSON.readTree(message);
        if (root == null || !root.path("state").path("id").isTextual()) {
            throw new IOException("not a container process state (no state.id)");
        }
        int index = -1;
        JsonNode fds = root.path("fds");
        for (int i = 0; i < fds.size(); i++) {
            if (fds.get(i).asText().equals("seccompFd")) index = i;
        }
        if (index < 0) throw new IOException("the container process state names no seccompFd");
        return new ProcessState(root.path("state").path("id").asText(), root.path("state").path("pid").asLong(),
                root.path("pid").asLong(), index);
    }

    /** The filter of the container's init (and all it starts), whose mounts are the initial ones. */
    public boolean isInit() {
        return pid == initPid;
    }
}
