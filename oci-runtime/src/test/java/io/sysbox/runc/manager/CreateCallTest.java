package io.sysbox.runc.manager;

import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.CreateResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written wire form must be what the generated classes read and write. */
class CreateCallTest {
    @Test
    void requestParsesWithTheGeneratedClass() throws Exception {
        byte[] bytes = CreateCall.encode(new CreateCall.Request("c1", "/b", "/r/runc", "/r/sysbox/c1", 4242, true, true));
        CreateRequest parsed = CreateRequest.parseFrom(bytes);
        assertEquals("c1", parsed.getId());
        assertEquals("/b", parsed.getBundle());
        assertEquals("/r/runc", parsed.getEngineRoot());
        assertEquals("/r/sysbox/c1", parsed.getPrivateDir());
        assertEquals(4242, parsed.getCallerPid());
        assertTrue(parsed.getSystemdCgroup());
        assertTrue(parsed.getNoEmulation());
        assertTrue(parsed.getUnknownFields().asMap().isEmpty());
        assertFalse(CreateRequest.parseFrom(CreateCall.encode(
                new CreateCall.Request("c", "/b", "/e", "/p", 1, false, false))).getSystemdCgroup());
    }

    @Test
    void responseWrittenByTheGeneratedClassDecodes() throws Exception {
        byte[] bytes = CreateResponse.newBuilder().setBundleDir("/run/sysbox-runc/sysbox/c1").build().toByteArray();
        assertEquals("/run/sysbox-runc/sysbox/c1", CreateCall.decodeBundleDir(bytes));
        assertEquals("", CreateCall.decodeBundleDir(new byte[0]));
    }
}
