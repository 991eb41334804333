package io.sysbox.runc.manager;

import io.sysbox.common.proto.ReleaseRequest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Release request in protobuf wire format, written by hand: the generated ReleaseRequest
 * would build all of manager.proto's descriptors and load ~70 protobuf classes in every
 * `delete`, and even protobuf's CodedOutputStream sets up its Unsafe accessors first. The
 * message is one string field: its tag, the UTF-8 length as a varint, the bytes. The field
 * number is the generated constant (inlined by javac); the manager parses these bytes with the
 * generated class and ReleaseCallTest checks the round trip. The CLI needs no field of the
 * response (ReleaseResponse.existed).
 */
public final class ReleaseCall {
    private static final int LENGTH_DELIMITED = 2;

    private ReleaseCall() {}

    public static byte[] encode(String id) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length + 6);
        writeVarint(out, ReleaseRequest.ID_FIELD_NUMBER << 3 | LENGTH_DELIMITED);
        writeVarint(out, utf8.length);
        out.writeBytes(utf8);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
