package io.sysbox.common.keeper;

import java.util.Arrays;

/**
 * One message of the descriptor keeper's protocol on {@code RUN_DIR/sysmgr-fd.sock} (a
 * SOCK_SEQPACKET socket): one byte of operation, then its payload; descriptors travel beside
 * it as SCM_RIGHTS. Requests: KEEP (with one or more descriptors, held together, and the
 * holder's notes about them), FETCH, DROP. Answers: OK, HELD (with the descriptors, in the
 * order handed, and the notes), NONE, ERROR (text).
 */
record KeeperMessage(byte op, byte[] payload) {
    static final byte KEEP = 1, FETCH = 2, DROP = 3;
    static final byte OK = (byte) 0x80, HELD = (byte) 0x81, NONE = (byte) 0x82, ERROR = (byte) 0x83;
    /** Notes are a few hundred bytes; a larger message is a mistake, not something to buffer. */
    static final int MAX_SIZE = 64 * 1024;

    KeeperMessage {
        payload = payload.clone();
    }

    static KeeperMessage of(byte op) {
        return new KeeperMessage(op, new byte[0]);
    }

    byte[] encode() {
        byte[] bytes = new byte[payload.length + 1];
        bytes[0] = op;
        System.arraycopy(payload, 0, bytes, 1, payload.length);
        return bytes;
    }

    /** Null for an empty message: the peer closed the connection. */
    static KeeperMessage decode(byte[] bytes) {
        if (bytes.length == 0) return null;
        return new KeeperMessage(bytes[0], Arrays.copyOfRange(bytes, 1, bytes.length));
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
