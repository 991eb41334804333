package io.sysbox.common.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.ArrayList;
import java.util.List;

/** linux.uidMappings[] / gidMappings[]: containerID..+size maps to hostID..+size. */
public record IdMapping(long containerId, long hostId, long size) {
    public static List<IdMapping> listOf(JsonNode array) {
        List<IdMapping> list = new ArrayList<>();
        array.forEach(m -> list.add(new IdMapping(m.path("containerID").asLong(), m.path("hostID").asLong(),
                m.path("size").asLong())));
        return list;
    }

    public void addTo(ArrayNode array) {
        array.addObject().put("containerID", containerId).put("hostID", hostId).put("size", size);
    }

    /** The kernel's uid_map line format. */
    @Override
    public String toString() {
        return containerId + " " + hostId + " " + size;
    }
}
