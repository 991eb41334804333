package io.sysbox.common.channel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** A length-prefixed frame: a one-byte tag (method or status) and a payload. */
public record Frame(byte tag, byte[] payload) {
    public static final byte OK = 0, ERROR = 1;
    /** Frames are small protobuf messages; anything bigger is a broken peer. */
    static final int MAX_LENGTH = 16 << 20;

    /** Reads one frame; null at a clean end of stream. */
    public static Frame read(ByteChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!fill(channel, header, true)) return null;
        int length = header.flip().getInt();
        if (length < 1 || length > MAX_LENGTH) throw new BadLengthException(length);
        ByteBuffer body = ByteBuffer.allocate(length);
        fill(channel, body, false);
        body.flip();
        byte tag = body.get();
        byte[] payload = new byte[length - 1];
        body.get(payload);
        return new Frame(tag, payload);
    }

    public void write(ByteChannel channel) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(5 + payload.length);
        out.putInt(payload.length + 1).put(tag).put(payload).flip();
        while (out.hasRemaining()) channel.write(out);
    }

    private static boolean fill(ByteChannel channel, ByteBuffer buffer, boolean eofAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (eofAllowed && buffer.position() == 0) return false;
                throw new EOFException("connection closed mid-frame");
            }
        }
        return true;
    }

    /** A header whose length no frame can have: the peer speaks another protocol, or is broken. */
    public static final class BadLengthException extends IOException {
        BadLengthException(int length) {
            super("a frame of " + Integer.toUnsignedString(length) + " bytes (header "
                    + String.format("%08x", length) + ") is refused: frames are 1 to " + (MAX_LENGTH >> 20)
                    + " MiB ([u32 length][u8 method][protobuf]); is this sysbox's framed channel?");
        }
    }
}
