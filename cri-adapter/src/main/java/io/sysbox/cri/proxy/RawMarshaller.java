package io.sysbox.cri.proxy;

import io.grpc.MethodDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A message as its bytes: what the proxy forwards without decoding, unknown fields and all. */
public final class RawMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    public static final RawMarshaller INSTANCE = new RawMarshaller();

    private RawMarshaller() {}

    @Override
    public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
