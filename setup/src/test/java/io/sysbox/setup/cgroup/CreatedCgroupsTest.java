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

        CreatedCgroups.remember(containerDir, List.of(parent, leaf, busyParent, busyLeaf), 100000);
        CreatedCgroups.removeRemembered(containerDir);

        assertFalse(Files.exists(leaf), "an empty remembered directory should be removed");
        assertFalse(Files.exists(parent), "its remembered parent, empty once the leaf is gone, too");
        assertTrue(Files.exists(busyLeaf), "a directory that is not empty must stay (rmdir only)");
        assertTrue(Files.exists(busyParent), "and so its parent");
    }

    @Test
    void nothingRememberedIsNothingToDo(@TempDir Path tmp) throws Exception {
        Path kept = Files.createDirectory(tmp.resolve("kept"));
        CreatedCgroups.remember(tmp, List.of(), 100000);
        assertFalse(Files.exists(tmp.resolve(CreatedCgroups.FILE)), "an empty list writes no file");
        CreatedCgroups.removeRemembered(tmp);
        assertTrue(Files.exists(kept));
    }

    /**
     * A foreground run's cgroups are removed after the run ends, and the next container with the
     * same cgroupsPath may have been created (and its directory delegated to its root) by then.
     */
    @Test
    void aDirectoryDelegatedToTheNextContainerSinceIsLeftAlone(@TempDir Path tmp) throws Exception {
        Path first = Files.createDirectory(tmp.resolve("first"));
        Path parent = tmp.resolve("cpu/prefix");
        Path leaf = Files.createDirectories(parent.resolve("ctr"));
        Path otherLeaf = Files.createDirectories(tmp.resolve("memory/prefix/ctr"));
        CreatedCgroups.remember(first, List.of(parent, leaf, otherLeaf.getParent(), otherLeaf), 100000);
        Files.setAttribute(leaf, "unix:uid", 165536);
        Files.setAttribute(otherLeaf, "unix:uid", 100000);

        CreatedCgroups.removeRemembered(first);

        assertTrue(Files.exists(leaf), "the next container's delegated directory stays");
        assertTrue(Files.exists(parent), "and its parent, not empty");
        assertFalse(Files.exists(otherLeaf), "a directory still delegated to the first container goes");
    }
}
