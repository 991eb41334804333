package io.sysbox.mgr.specialdirs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Extended attributes whose values hold ids, which must move with the owners: file
 * capabilities (a version-3 value names the root uid it is valid for) and POSIX ACLs (named
 * users and groups). Values this code does not understand are copied unchanged.
 */
final class IdBearingXattrs {
    static final String CAPABILITY = "security.capability";
    private static final String ACL_ACCESS = "system.posix_acl_access", ACL_DEFAULT = "system.posix_acl_default";
    private static final int CAP_REVISION_MASK = 0xFF00_0000, CAP_REVISION_2 = 0x0200_0000,
            CAP_REVISION_3 = 0x0300_0000, CAP_V2_SIZE = 20, CAP_V3_SIZE = 24;
    private static final int ACL_VERSION = 2, ACL_HEADER = 4, ACL_ENTRY = 8, ACL_USER = 0x02, ACL_GROUP = 0x08;

    private IdBearingXattrs() {}

    static byte[] translate(String name, byte[] value, IdTranslation ids) {
        return switch (name) {
            case CAPABILITY -> capability(value, ids);
            case ACL_ACCESS, ACL_DEFAULT -> acl(value, ids);
            default -> value;
        };
    }

    /**
     * A version-2 value is valid for the root of the namespace that reads it (image root); a
     * version-3 one for its rootid. The rootid moves like a uid; a root of the image is written
     * as version 2, which is how images carry capabilities.
     */
    private static byte[] capability(byte[] value, IdTranslation ids) {
        if (value.length != CAP_V2_SIZE && value.length != CAP_V3_SIZE) return value;
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        int revision = magic & CAP_REVISION_MASK;
        long rootId;
        if (revision == CAP_REVISION_2 && value.length == CAP_V2_SIZE) rootId = 0;
        else if (revision == CAP_REVISION_3 && value.length == CAP_V3_SIZE) rootId = Integer.toUnsignedLong(in.getInt(20));
        else return value;
        long newRoot = ids.uid(rootId);
        int flags = magic & ~CAP_REVISION_MASK;
        if (newRoot == 0) {
            ByteBuffer out = ByteBuffer.allocate(CAP_V2_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(CAP_REVISION_2 | flags).put(value, 4, CAP_V2_SIZE - 4);
            return out.array();
        }
        ByteBuffer out = ByteBuffer.allocate(CAP_V3_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(CAP_REVISION_3 | flags).put(value, 4, CAP_V2_SIZE - 4).putInt((int) newRoot);
        return out.array();
    }

    private static byte[] acl(byte[] value, IdTranslation ids) {
        if (value.length < ACL_HEADER || (value.length - ACL_HEADER) % ACL_ENTRY != 0) return value;
        ByteBuffer buffer = ByteBuffer.wrap(value.clone()).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt(0) != ACL_VERSION) return value;
        for (int at = ACL_HEADER; at < value.length; at += ACL_ENTRY) {
            int tag = Short.toUnsignedInt(buffer.getShort(at));
            long id = Integer.toUnsignedLong(buffer.getInt(at + 4));
            if (tag == ACL_USER) buffer.putInt(at + 4, (int) ids.uid(id));
            else if (tag == ACL_GROUP) buffer.putInt(at + 4, (int) ids.gid(id));
        }
        return buffer.array();
    }
}
