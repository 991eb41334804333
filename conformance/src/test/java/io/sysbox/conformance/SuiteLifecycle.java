package io.sysbox.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One private manager per suite class; after each test every container the test made is
 * deleted and nothing may be left behind (mounts, id ranges, private dirs, cgroups).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
abstract class SuiteLifecycle {
    protected SuiteEnvironment env;
    protected Containers containers;

    @BeforeAll
    void startEnvironment() throws IOException {
        env = SuiteEnvironment.start(getClass().getSimpleName().toLowerCase());
        containers = new Containers(env);
    }

    @AfterEach
    void deleteContainersAndCheckLeaks() {
        List<String> problems = new ArrayList<>(env.deleteContainers());
        problems.addAll(env.awaitNoLeaks());
        assertTrue(problems.isEmpty(), "after deleting this test's containers:\n  " + String.join("\n  ", problems));
    }

    @AfterAll
    void closeEnvironment() {
        if (env != null) env.close();
    }
}
