package io.sysbox.mgr.idmap;

import io.sysbox.common.sys.MountApi;

import java.util.List;

/**
 * The access-time mode a bind's options ask for, as mount_setattr attributes for its idmapped
 * clone. The kernel locks a mount's atime flags once a user namespace's mount namespace holds
 * it (MNT_LOCK_ATIME), so the engine's remount of the bind with, say, "strictatime" fails with
 * EPERM unless the clone already has that mode; set on the clone from the host, where nothing is
 * locked, the remount changes nothing and succeeds.
 *
 * @param set   attributes to set
 * @param clear attributes to clear
 */
public record AtimeAttributes(long set, long clear) {
    public static final AtimeAttributes NONE = new AtimeAttributes(0, 0);

    /** From mount options in spec order: as for mount(8), the last atime mode named wins. */
    public static AtimeAttributes of(List<String> options) {
        long set = 0;
        long clear = 0;
        for (String option : options) {
            long mode = switch (option) {
                case "strictatime" -> MountApi.MOUNT_ATTR_STRICTATIME;
                case "noatime" -> MountApi.MOUNT_ATTR_NOATIME;
                case "relatime" -> MountApi.MOUNT_ATTR_RELATIME;
                default -> -1;
            };
            if (mode >= 0) {
                set = (set & ~MountApi.MOUNT_ATTR__ATIME) | mode;
                clear |= MountApi.MOUNT_ATTR__ATIME;
            } else if (option.equals("nodiratime")) {
                set |= MountApi.MOUNT_ATTR_NODIRATIME;
                clear &= ~MountApi.MOUNT_ATTR_NODIRATIME;
            } else if (option.equals("diratime")) {
                set &= ~MountApi.MOUNT_ATTR_NODIRATIME;
                clear |= MountApi.MOUNT_ATTR_NODIRATIME;
            }
        }
        return new AtimeAttributes(set, clear);
    }

    public boolean isNone() {
        return set == 0 && clear == 0;
    }
}
