package io.sysbox.runc.manager;

import io.sysbox.common.proto.ReleaseRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written wire form must be what the generated class reads and writes. */
class ReleaseCallTest {
    @Test
    void requestParsesWithTheGeneratedClass() throws Exception {
        String id = "0123456789abcdef".repeat(4) + "-é";
        ReleaseRequest parsed = ReleaseRequest.parseFrom(ReleaseCall.encode(id));
        assertEquals(id, parsed.getId());
        assertTrue(parsed.getUnknownFields().asMap().isEmpty());
        assertArrayEquals(ReleaseRequest.newBuilder().setId(id).build().toByteArray(), ReleaseCall.encode(id));
    }

    /** Ids longer than 127 bytes need a two-byte length. */
    @Test
    void longIdsKeepTheirLength() throws Exception {
        String id = "x".repeat(300);
        assertEquals(id, ReleaseRequest.parseFrom(ReleaseCall.encode(id)).getId());
        assertArrayEquals(ReleaseRequest.newBuilder().setId(id).build().toByteArray(), ReleaseCall.encode(id));
    }
}
