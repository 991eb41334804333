package io.sysbox.mgr.pods;

import io.sysbox.mgr.idrange.ContainerMapping;
import io.sysbox.mgr.idrange.RangeAllocator;
import io.sysbox.mgr.idrange.SubidEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodRangesTest {
    private static final SubidEntry POOL = new SubidEntry("sysbox", 196608, 65536L * 4);

    @TempDir
    Path dataRoot;

    private static RangeAllocator allocator() {
        return new RangeAllocator(POOL, Path.of("/etc/subuid"), POOL, 65536);
    }

    @Test
    void aPodKeepsOneRangeDisjointFromContainersAndOtherPods() throws Exception {
        RangeAllocator allocator = allocator();
        PodRanges pods = new PodRanges(allocator, new PodRangeStore(dataRoot.resolve("podranges")));
        ContainerMapping docker = allocator.allocate(Optional.empty());
        PodRangeRecord a = pods.reserve("uid-a", "default", "a");
        PodRangeRecord b = pods.reserve("uid-b", "default", "b");
        assertNotEquals(docker, a.mapping());
        assertNotEquals(a.mapping(), b.mapping());
        assertEquals(a, pods.reserve("uid-a", "default", "a"), "asking again answers the same range");
        assertEquals(Optional.of(a), pods.find("uid-a", "", ""));
        assertEquals(Optional.of(b), pods.find("", "default", "b"));
        assertEquals(Optional.empty(), pods.find("uid-a", "default", "b"), "a uid and a name of two pods name none");
    }

    @Test
    void reservationsSurviveARestartAndReleaseFreesTheIds() throws Exception {
        Path dir = dataRoot.resolve("podranges");
        PodRanges first = new PodRanges(allocator(), new PodRangeStore(dir));
        PodRangeRecord a = first.reserve("uid-a", "ns", "a");

        RangeAllocator allocator = allocator();
        PodRanges second = new PodRanges(allocator, new PodRangeStore(dir));
        assertEquals(1, second.restore());
        assertEquals(Optional.of(a), second.find("uid-a", "ns", "a"));
        assertNotEquals(a.mapping(), allocator.allocate(Optional.empty()), "a restarted manager keeps it reserved");

        assertTrue(second.release("uid-a"));
        assertFalse(second.release("uid-a"));
        assertFalse(Files.exists(dir.resolve("uid-a.json")));
        assertEquals(a.mapping(), allocator.allocate(Optional.empty()), "released ids are handed out again");
    }

    @Test
    void aUidThatIsNoPlainNameIsRefused() throws Exception {
        PodRanges pods = new PodRanges(allocator(), new PodRangeStore(dataRoot.resolve("podranges")));
        assertThrows(PodRanges.InvalidPodException.class, () -> pods.reserve("../x", "ns", "a"));
        assertThrows(PodRanges.InvalidPodException.class, () -> pods.reserve("", "ns", "a"));
    }
}
