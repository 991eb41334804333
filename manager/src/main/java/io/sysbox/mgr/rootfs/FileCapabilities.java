package io.sysbox.mgr.rootfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * File capabilities ({@code security.capability}). chown(2) deletes them, so whoever changes
 * an owner puts them back. A version-3 value names the root uid it is valid for (written
 * from inside a user namespace: the container's host root); that uid moves with the owners,
 * so a given-back layer carries capabilities for root again, as `docker commit` expects.
 */
final class FileCapabilities {
    static final String XATTR = "security.capability";
    private static final int REVISION_MASK = 0xFF00_0000;
    private static final int REVISION_3 = 0x0300_0000;
    private static final int V3_SIZE = 24;
    private static final int ROOTID_OFFSET = 20;

    private FileCapabilities() {}

    /** The value to write back after the owner moved along span. */
    static byte[] shifted(byte[] value, IdShift.Span uids) {
        if (value.length != V3_SIZE) return value;
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if ((in.getInt(0) & REVISION_MASK) != REVISION_3) return value;
        long rootId = Integer.toUnsignedLong(in.getInt(ROOTID_OFFSET));
        if (!uids.moves(rootId)) return value;
        byte[] out = value.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(ROOTID_OFFSET, (int) uids.apply(rootId));
        return out;
    }
}
