package io.sysbox.common.keeper;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message of the descriptor keeper's protocol on {@code RUN_DIR/sysmgr-fd.sock} (a
 * SOCK_SEQPACKET socket): one byte of operation, the slot it concerns (two bytes of length,
 * then its UTF-8 name; the empty name is sysbox-fs's FUSE connections), then its payload;
 * descriptors travel beside it as SCM_RIGHTS. Requests: KEEP (with one or more descriptors,
 * held together in the slot, and the holder's notes about them), FETCH, DROP, LIST (the slot
 * field is a prefix, the payload the last name of the previous page). Answers: OK, HELD (with
 * the descriptors, in the order handed, and the notes), NONE, NAMES (one page of slot names,
 * '\n'-separated; an empty page ends the listing), ERROR (text).
 */
record KeeperMessage(byte op, String slot, byte[] payload) {
    static final byte KEEP = 1, FETCH = 2, DROP = 3, LIST = 4;
    static final byte OK = (byte) 0x80, HELD = (byte) 0x81, NONE = (byte) 0x82, ERROR = (byte) 0x83,
            NAMES = (byte) 0x84;
    /** Notes are at most a few KiB; a larger message is a mistake, not something to buffer. */
    static final int MAX_SIZE = 64 * 1024;
    /** What a page of NAMES may fill, leaving room for the header. */
    static final int MAX_PAGE = MAX_SIZE - 1024;
    static final int MAX_SLOT = 1024;

    KeeperMessage {
        if (slot.getBytes(StandardCharsets.UTF_8).length > MAX_SLOT) {
            throw new IllegalArgumentException("slot name longer than " + MAX_SLOT + " bytes");
        }
        payload = payload.clone();
    }

    static KeeperMessage of(byte op) {
        return new KeeperMessage(op, "", new byte[0]);
    }

    static KeeperMessage of(byte op, String slot) {
        return new KeeperMessage(op, slot, new byte[0]);
    }

    byte[] encode() {
        byte[] name = slot.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + name.length + payload.length).put(op).putShort((short) name.length).put(name)
                .put(payload).array();
    }

    /** Null for an empty message: the peer closed the connection. */
    static KeeperMessage decode(byte[] bytes) {
        if (bytes.length == 0) return null;
        if (bytes.length < 3) throw new IllegalArgumentException("a keeper message of " + bytes.length + " bytes");
        int length = ((bytes[1] & 0xff) << 8) | (bytes[2] & 0xff);
        if (3 + length > bytes.length) throw new IllegalArgumentException("a slot name beyond the message's end");
        return new KeeperMessage(bytes[0], new String(bytes, 3, length, StandardCharsets.UTF_8),
                Arrays.copyOfRange(bytes, 3 + length, bytes.length));
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
