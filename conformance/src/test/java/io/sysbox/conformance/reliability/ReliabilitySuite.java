package io.sysbox.conformance.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One {@link ReliabilityWorld} per suite class, started before its tests and closed after them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReliabilitySuite {
    protected static final ReliabilityScale SCALE = ReliabilityScale.fromSystemProperty();
    protected ReliabilityWorld world;

    /** The suite's daemons (and dockerd, where Docker takes part). */
    abstract ReliabilityWorld startWorld() throws Exception;

    @BeforeAll
    void startTheWorld() throws Exception {
        world = startWorld();
    }

    @AfterAll
    void closeTheWorld() throws Exception {
        if (world != null) world.close();
    }
}
