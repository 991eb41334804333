package io.sysbox.conformance.reliability;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.IdMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 6: many system containers (bundles, with sysbox-fs) started at once, all
 * at the same moment: every one starts, gets a range of its own and reads its emulated files;
 * the start-time distribution and each daemon's resident memory per idle container are printed
 * (conformance/README and README carry the figures). Sizes: {@link ReliabilityScale}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class LoadIT extends ReliabilitySuite {
    /** Idle time before the second look at the daemons, so what a start allocated for a moment is collectable. */
    private static final long IDLE_MS = 5000;

    @Override
    ReliabilityWorld startWorld() throws Exception {
        return ReliabilityWorld.bundlesOnly("load");
    }

    private record Started(SystemContainer container, double millis) {}

    @Test
    void manyContainersStartAtOnceEachWithItsOwnRange() throws Exception {
        // Warm-up: the first container of a daemon's life loads classes the others need.
        for (int i = 0; i < 2; i++) world.delete(world.startBundle("load-warm"));
        world.assertNoLeaks("after the warm-up");
        Thread.sleep(IDLE_MS);
        List<DaemonFigures> before = world.figures();

        int n = SCALE.loadContainers();
        List<BusyboxBundle> bundles = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = world.env().newContainerId("load");
            ids.add(id);
            bundles.add(world.env().bundle(id));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Started> started = new ArrayList<>();
        String loadDuring;
        try {
            List<Future<Started>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = ids.get(i);
                BusyboxBundle bundle = bundles.get(i);
                runs.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    CommandResult run = world.env().runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    assertTrue(run.succeeded(), () -> "run --detach " + id + " under load:\n" + run.describe());
                    return new Started(new SystemContainer.Bundle(id), ms);
                }));
            }
            for (Future<Started> run : runs) started.add(run.get(10, TimeUnit.MINUTES));
            loadDuring = ReliabilityWorld.loadAverage();
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }

        List<IdMap> ranges = new ArrayList<>();
        for (Started s : started) {
            assertTrue(world.running(s.container()), s.container() + " is not running");
            String uptime = world.exec(s.container(), "cat /proc/uptime");
            assertTrue(uptime.matches("(\\d+\\.\\d\\d) \\1\n"), s.container() + ": emulated uptime, was " + uptime);
            IdMap range = IdMap.parse(world.uidMap(s.container())).getFirst();
            for (IdMap other : ranges) assertFalse(range.overlaps(other), range + " overlaps " + other);
            ranges.add(range);
        }
        Thread.sleep(IDLE_MS);
        List<DaemonFigures> loaded = world.figures();

        Percentiles times = Percentiles.of(started.stream().map(Started::millis).toList());
        List<String> lines = new ArrayList<>();
        lines.add(n + " containers started at once: " + times.describe() + "; load average " + loadDuring
                + " right after, " + ReliabilityWorld.loadAverage() + " idle");
        for (int i = 0; i < before.size(); i++) {
            DaemonFigures b = before.get(i), l = loaded.get(i);
            lines.add(String.format(Locale.ROOT, "%s: rss %d KiB before, %d KiB with %d idle containers: %.0f KiB per container; threads %d -> %d, fds %d -> %d",
                    b.daemon(), b.rssKiB(), l.rssKiB(), n, (l.rssKiB() - b.rssKiB()) / (double) n, b.threads(), l.threads(),
                    b.fds(), l.fds()));
        }
        System.out.println("reliability figures (load, scale " + SCALE.name() + "):\n  " + String.join("\n  ", lines));

        for (Started s : started) world.delete(s.container());
        world.assertNoLeaks("after deleting the " + n + " containers");
    }
}
