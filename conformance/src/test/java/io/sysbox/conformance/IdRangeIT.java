package io.sysbox.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Issue 2, acceptance 1: exclusive id ranges, also across a kill -9 of the manager. */
class IdRangeIT extends SuiteLifecycle {

    @Test
    void concurrentContainersGetDisjointRangesAndAManagerKilledWithSigkillHandsOutNoneOfThem() throws IOException {
        String first = containers.startSleeping("range-a");
        String second = containers.startSleeping("range-b");
        IdMap a = insideUidMap(first);
        IdMap b = insideUidMap(second);
        assertFalse(a.overlaps(b), "two running containers share host ids: " + a + " and " + b);
        insideGidMap(first);
        insideGidMap(second);

        long oldPid = env.manager().pid();
        env.manager().kill9();
        env.manager().restart();
        assertNotEquals(oldPid, env.manager().pid(), "the manager was not restarted");

        String third = containers.startSleeping("range-c");
        IdMap c = insideUidMap(third);
        assertFalse(c.overlaps(a), "after a kill -9 and restart, the manager gave " + c + " which overlaps " + a
                + " (still in use by " + first + ")");
        assertFalse(c.overlaps(b), "after a kill -9 and restart, the manager gave " + c + " which overlaps " + b
                + " (still in use by " + second + ")");
    }

    private IdMap insideUidMap(String id) {
        return Containers.singleContainerRange(containers.exec(id, "cat", "/proc/self/uid_map"), "uid_map inside " + id);
    }

    private IdMap insideGidMap(String id) {
        return Containers.singleContainerRange(containers.exec(id, "cat", "/proc/self/gid_map"), "gid_map inside " + id);
    }
}
