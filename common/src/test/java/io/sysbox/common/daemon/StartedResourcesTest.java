package io.sysbox.common.daemon;

import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class StartedResourcesTest {
    @Test
    void closesLastStartedFirstAndGoesOnAfterAFailure() {
        List<String> closed = new ArrayList<>();
        StartedResources started = new StartedResources(LogManager.getLogger(StartedResourcesTest.class));
        AutoCloseable first = () -> closed.add("lock");
        assertSame(first, started.push(first));
        started.push(() -> {
            closed.add("mount");
            throw new IllegalStateException("busy");
        });
        started.push(() -> closed.add("socket"));
        started.close();
        assertEquals(List.of("socket", "mount", "lock"), closed);
        started.close();
        assertEquals(3, closed.size(), "a second close has nothing left to close");
    }
}
