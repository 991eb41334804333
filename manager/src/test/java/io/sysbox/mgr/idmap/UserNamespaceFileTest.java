package io.sysbox.mgr.idmap;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.IdRange;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserNamespaceFileTest {
    private static final ContainerMapping MAPPING =
            new ContainerMapping(new IdRange(3_000_000_000L, 65536), new IdRange(3_000_000_000L, 65536));

    @Test
    void givesAnFdOnANewUserNamespaceAndLeavesNoHelperBehind() throws Exception {
        long childrenBefore = ProcessHandle.current().children().count();
        String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
        try (UserNamespaceFile userns = UserNamespaceFile.create(MAPPING)) {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + userns.fd())).toString();
            assertTrue(link.matches("user:\\[\\d+]"), link);
            assertNotEquals(ours, link);
        }
        assertEquals(childrenBefore, ProcessHandle.current().children().count());
    }

    @Test
    void twoNamespacesAreDistinct() throws Exception {
        try (UserNamespaceFile a = UserNamespaceFile.create(MAPPING); UserNamespaceFile b = UserNamespaceFile.create(MAPPING)) {
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + a.fd())),
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + b.fd())));
        }
    }
}
