package io.sysbox.setup.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreatedCgroupsTest {
    @Test
    void removesWhatWasRememberedDeepestFirstAndKeepsWhatIsInUse(@TempDir Path tmp) throws Exception {
        Path containerDir = Files.createDirectory(tmp.resolve("container"));
        Path parent = tmp.resolve("cpu/prefix");
        Path leaf = parent.resolve("ctr");
        Path busyParent = tmp.resolve("memory/prefix");
        Path busyLeaf = busyParent.resolve("ctr");
        Files.createDirectories(leaf);
        Files.createDirectories(busyLeaf);
        Files.createFile(busyLeaf.resolve("in-use"));

        CreatedCgroups.remember(containerDir, List.of(parent, leaf, busyParent, busyLeaf));
        CreatedCgroups.removeRemembered(containerDir);

        assertFalse(Files.exists(leaf), "an empty remembered directory should be removed");
        assertFalse(Files.exists(parent), "its remembered parent, empty once the leaf is gone, too");
        assertTrue(Files.exists(busyLeaf), "a directory that is not empty must stay (rmdir only)");
        assertTrue(Files.exists(busyParent), "and so its parent");
    }

    @Test
    void nothingRememberedIsNothingToDo(@TempDir Path tmp) throws Exception {
        Path kept = Files.createDirectory(tmp.resolve("kept"));
        CreatedCgroups.remember(tmp, List.of());
        assertFalse(Files.exists(tmp.resolve(CreatedCgroups.FILE)), "an empty list writes no file");
        CreatedCgroups.removeRemembered(tmp);
        assertTrue(Files.exists(kept));
    }
}
