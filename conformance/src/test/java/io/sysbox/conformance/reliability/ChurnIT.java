package io.sysbox.conformance.reliability;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.TreeRemoval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 2: create/start/exec/delete cycles of bundles (sysbox-runc's own
 * create, start, exec, delete) and of Docker containers (run -d, exec, rm -f), many in flight at
 * once: afterwards nothing is left (mounts, directories, cgroups, id ranges, records,
 * registrations, processes, network devices), and after a warm-up the daemons' descriptors,
 * threads and resident memory stay flat (figures printed). Sizes: {@link ReliabilityScale}.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ChurnIT extends ReliabilitySuite {
    /** Descriptors a daemon may hold open for a moment (a gRPC connection being closed): not a leak per cycle. */
    private static final int FD_SLACK = 2;
    /** Threads a pool may add under the same load after the warm-up. */
    private static final int THREAD_SLACK = 4;
    /** Resident memory may grow this much after the warm-up (the JVM's heap settles slowly); a leak per cycle shows above it at full size. */
    private static final double RSS_GROWTH = 0.25;

    @Override
    ReliabilityWorld startWorld() throws Exception {
        return ReliabilityWorld.withDocker("churn");
    }

    /** One bundle cycle: create, start, exec (an emulated file and the uid map), delete --force; the bundle goes too. */
    private void bundleCycle(int n) throws Exception {
        String id = world.env().newContainerId("churn" + n);
        BusyboxBundle bundle = world.env().bundle(id);
        try {
            ok(world.env().runc().run("create", "--bundle", bundle.dir().toString(), id));
            ok(world.env().runc().run("start", id));
            SystemContainer c = new SystemContainer.Bundle(id);
            String seen = world.exec(c, "cat /proc/uptime /proc/self/uid_map");
            assertTrue(seen.lines().count() == 2 && !seen.contains(" 0 4294967295"), id + ": " + seen);
        } finally {
            ok(world.env().runc().run("delete", "--force", id));
            TreeRemoval.remove(bundle.dir());
        }
    }

    private void dockerCycle() {
        SystemContainer c = world.startDocker();
        try {
            String seen = world.exec(c, "cat /proc/uptime /proc/self/uid_map");
            assertTrue(seen.lines().count() == 2 && !seen.contains(" 0 4294967295"), c + ": " + seen);
        } finally {
            world.delete(c);
        }
    }

    private static void ok(CommandResult result) {
        assertTrue(result.succeeded(), result::describe);
    }

    /** COUNT cycles of each kind, PARALLEL at once, interleaved; returns the wall time in ms. */
    private double churn(int count, int parallel) throws Exception {
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> cycles = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                cycles.add(pool.submit(() -> {
                    bundleCycle(n);
                    return null;
                }));
                cycles.add(pool.submit(() -> {
                    dockerCycle();
                    return null;
                }));
            }
            for (Future<?> cycle : cycles) cycle.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    @Test
    void parallelCyclesLeakNothingAndTheDaemonsStayFlat() throws Exception {
        HostCensus before = world.census();
        List<DaemonFigures> idle = world.figures();
        int warmup = SCALE.warmupCycles();
        double warmupMs = churn(warmup, SCALE.churnParallel());
        world.assertNoLeaks("after the warm-up");
        List<DaemonFigures> warm = world.figures();
        // What the first containers make once (dockerd's and containerd's own mounts) is no leak: compared from here.
        HostCensus warmHost = world.census();
        int measured = SCALE.churnCycles() - warmup;
        double measuredMs = churn(measured, SCALE.churnParallel());
        world.assertNoLeaks("after " + SCALE.churnCycles() + " cycles of each kind");
        List<DaemonFigures> end = world.figures();
        HostCensus after = world.census();

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d cycles of each kind (bundles, Docker), %d at once: warm-up %d in %.1f s, then %d in %.1f s (load %s)",
                SCALE.churnCycles(), SCALE.churnParallel(), warmup, warmupMs / 1000, measured, measuredMs / 1000,
                ReliabilityWorld.loadAverage()));
        for (int i = 0; i < end.size(); i++) {
            lines.add("before:      " + idle.get(i).describe());
            lines.add("after warm-up: " + warm.get(i).describe());
            lines.add("at the end:  " + end.get(i).describe());
        }
        lines.add("host: " + before.mounts().size() + " -> " + warmHost.mounts().size() + " (warm) -> " + after.mounts().size()
                + " mounts (made by the warm-up: " + before.growthTo(warmHost) + "), " + before.processes() + " -> "
                + after.processes() + " processes, network devices " + before.netDevices() + " -> " + after.netDevices());
        System.out.println("reliability figures (churn, scale " + SCALE.name() + "):\n  " + String.join("\n  ", lines));

        assertEquals(List.of(), warmHost.growthTo(after), "the host after the churn, against after the warm-up");
        assertTrue(after.processes() <= before.processes() && after.netDevices().equals(before.netDevices()),
                "processes and network devices against before any cycle: " + before + " then " + after);
        for (int i = 0; i < end.size(); i++) {
            DaemonFigures w = warm.get(i), e = end.get(i);
            assertTrue(e.fds() <= w.fds() + FD_SLACK, "descriptors leak in " + e.daemon() + ": " + w.fds() + " after the warm-up, "
                    + e.fds() + " after " + measured + " more cycles of each kind");
            assertTrue(e.threads() <= w.threads() + THREAD_SLACK, "threads grow in " + e.daemon() + ": " + w.threads() + " then "
                    + e.threads());
            assertTrue(e.rssKiB() <= w.rssKiB() * (1 + RSS_GROWTH), "resident memory grows in " + e.daemon() + ": "
                    + w.rssKiB() + " KiB then " + e.rssKiB() + " KiB");
        }
    }
}
