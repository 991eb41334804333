package io.sysbox.conformance.reliability;

import io.sysbox.conformance.IdMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 1: system containers running (bundles and Docker, with sysbox-fs) while
 * sysbox-mgr is killed with -9, then sysbox-fs, then both at once, each time restarted: every
 * container keeps running in its id range; after either daemon alone it keeps its emulated files
 * (the uptime base, a sysctl written inside); after both at once those are lost (ENOTCONN: no
 * process held the FUSE connection, a known limit) while containers started afterwards get theirs.
 * A container started after each restart gets a range disjoint from all of them; deleting them all
 * afterwards releases everything. Sizes: {@link ReliabilityScale}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class CrashIT extends ReliabilitySuite {

    @Override
    ReliabilityWorld startWorld() throws Exception {
        return ReliabilityWorld.withDocker("crash");
    }

    /** What a container showed before the crashes, to be shown again after each. */
    private record Seen(String uidMap, double uptime, String panic) {}

    private double uptime(SystemContainer c) {
        String text = world.exec(c, "cat /proc/uptime").strip();
        String[] f = text.split(" ");
        assertEquals(2, f.length, c + ": /proc/uptime " + text);
        assertEquals(f[0], f[1], c + ": sysbox-fs's uptime has two equal columns, the kernel's do not: " + text);
        return Double.parseDouble(f[0]);
    }

    private void checkKept(Map<SystemContainer, Seen> seen, String after) throws Exception {
        for (Map.Entry<SystemContainer, Seen> e : seen.entrySet()) {
            SystemContainer c = e.getKey();
            checkRunningInItsRange(c, e.getValue(), after);
            double now = uptime(c);
            assertTrue(now >= e.getValue().uptime(), c + ": uptime went back after " + after + ": "
                    + e.getValue().uptime() + " then " + now);
            assertEquals(e.getValue().panic(), world.exec(c, "cat /proc/sys/kernel/panic").strip(),
                    c + ": kernel/panic written inside, after " + after);
        }
    }

    private void checkRunningInItsRange(SystemContainer c, Seen seen, String after) throws Exception {
        assertTrue(world.running(c), c + " is not running after " + after);
        assertEquals(seen.uidMap(), world.uidMap(c), c + ": its range after " + after);
    }

    /**
     * Both daemons dead at once: no process holds sysbox-fs's /dev/fuse descriptors any more, so
     * the kernel aborts the FUSE connection and the emulated files bound into the running
     * containers answer ENOTCONN (README, known limits); the containers keep running in their ranges.
     */
    private void checkLostEmulation(Map<SystemContainer, Seen> seen) throws Exception {
        for (Map.Entry<SystemContainer, Seen> e : seen.entrySet()) {
            SystemContainer c = e.getKey();
            checkRunningInItsRange(c, e.getValue(), "kill -9 of both");
            String read = world.exec(c, "cat /proc/uptime 2>&1 || true");
            assertTrue(read.contains("Transport endpoint is not connected"), c + ": " + read);
        }
    }

    private Seen observe(SystemContainer c, int n) throws Exception {
        String panic = Integer.toString(10 + n);
        world.exec(c, "echo " + panic + " > /proc/sys/kernel/panic");
        return new Seen(world.uidMap(c), uptime(c), panic);
    }

    /** A new container's range overlaps none of the running ones'. */
    private SystemContainer checkNewRangeDisjoint(Map<SystemContainer, Seen> seen, String after) throws Exception {
        SystemContainer fresh = world.startBundle("crash-new");
        IdMap map = IdMap.parse(world.uidMap(fresh)).getFirst();
        for (Map.Entry<SystemContainer, Seen> e : seen.entrySet()) {
            IdMap old = IdMap.parse(e.getValue().uidMap()).getFirst();
            assertFalse(map.overlaps(old), "after " + after + " a new container got " + map + ", overlapping " + old
                    + " of " + e.getKey());
        }
        return fresh;
    }

    @Test
    void containersKeepRunningWithTheirRangesAndEmulatedFilesAcrossKillsOfEitherAndBothDaemons() throws Exception {
        Map<SystemContainer, Seen> seen = new LinkedHashMap<>();
        List<SystemContainer> all = new ArrayList<>();
        for (int i = 0; i < SCALE.crashBundles(); i++) all.add(world.startBundle("crash"));
        for (int i = 0; i < SCALE.crashDocker(); i++) all.add(world.startDocker());
        for (SystemContainer c : all) seen.put(c, observe(c, seen.size()));
        List<String> figures = new ArrayList<>();

        for (String crash : List.of("sysbox-mgr", "sysbox-fs", "both")) {
            long t0 = System.nanoTime();
            if (!crash.equals("sysbox-fs")) world.env().manager().kill9();
            if (!crash.equals("sysbox-mgr")) world.fs().kill9();
            // As sysboxd starts them: the manager first, sysbox-fs takes its connection back from it.
            if (!crash.equals("sysbox-fs")) world.env().manager().restart();
            if (!crash.equals("sysbox-mgr")) world.fs().restart();
            double restartMs = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            if (crash.equals("both")) checkLostEmulation(seen);
            else checkKept(seen, "kill -9 of " + crash);
            System.out.println("CrashIT: kill -9 of " + crash + " checked on " + seen.size() + " containers");
            figures.add(String.format(Locale.ROOT, "kill -9 %s: restarted in %.0f ms, %d containers checked in %.0f ms",
                    crash, restartMs, seen.size(), (System.nanoTime() - t1) / 1e6));
            SystemContainer fresh = checkNewRangeDisjoint(seen, "kill -9 of " + crash);
            seen.put(fresh, observe(fresh, seen.size()));
        }

        for (SystemContainer c : seen.keySet()) world.delete(c);
        world.assertNoLeaks("after deleting every container that lived through the crashes");
        System.out.println("reliability figures (crash, scale " + SCALE.name() + ", " + SCALE.crashBundles() + " bundles + "
                + SCALE.crashDocker() + " Docker containers):\n  " + String.join("\n  ", figures));
    }
}
