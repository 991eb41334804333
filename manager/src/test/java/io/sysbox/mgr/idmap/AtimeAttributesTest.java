package io.sysbox.mgr.idmap;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sysbox.common.sys.MountApi.MOUNT_ATTR_NOATIME;
import static io.sysbox.common.sys.MountApi.MOUNT_ATTR_NODIRATIME;
import static io.sysbox.common.sys.MountApi.MOUNT_ATTR_RELATIME;
import static io.sysbox.common.sys.MountApi.MOUNT_ATTR_STRICTATIME;
import static io.sysbox.common.sys.MountApi.MOUNT_ATTR__ATIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtimeAttributesTest {

    @Test
    void optionsWithoutAnAtimeModeChangeNothing() {
        assertTrue(AtimeAttributes.of(List.of("rbind", "ro", "nosuid", "mode=755")).isNone());
    }

    @Test
    void eachModeClearsTheOthers() {
        assertEquals(new AtimeAttributes(MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME),
                AtimeAttributes.of(List.of("nosuid", "strictatime", "bind")));
        assertEquals(new AtimeAttributes(MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME), AtimeAttributes.of(List.of("noatime")));
        assertEquals(new AtimeAttributes(MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME), AtimeAttributes.of(List.of("relatime")));
    }

    @Test
    void theLastModeNamedWins() {
        assertEquals(new AtimeAttributes(MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME),
                AtimeAttributes.of(List.of("strictatime", "noatime")));
    }

    @Test
    void nodiratimeIsSetOrClearedOnItsOwn() {
        assertEquals(new AtimeAttributes(MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NODIRATIME, MOUNT_ATTR__ATIME),
                AtimeAttributes.of(List.of("strictatime", "nodiratime")));
        assertEquals(new AtimeAttributes(0, MOUNT_ATTR_NODIRATIME), AtimeAttributes.of(List.of("nodiratime", "diratime")));
    }
}
