package io.sysbox.conformance.bench;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start-up cost of a system container against plain runc (issue 2, acceptance 8): wall time
 * of `sysbox-runc run` of /bin/true versus `runc run` of the same rootfs with a user namespace,
 * interleaved so both see the same machine state; then the bare OCI cycle (create, start, kill,
 * delete) of both, and the CPU time of each call. Targets (issue 9): median ratios at most 1.5.
 *
 * <p>With --sysbox-fs a sysbox-fs runs beside the manager, so each container is also
 * registered with it and gets its emulated files, /proc/sys ones through the createRuntime hook.
 *
 * <p>Usage: StartupBenchmark [--rounds N] [--warmup W] [--sysbox-fs], with -Dsysbox.dist=DIST.
 */
public final class StartupBenchmark {
    static final double TARGET_RATIO = 1.5;

    private final int rounds;
    private final int warmup;
    private final boolean sysboxFs;

    StartupBenchmark(int rounds, int warmup, boolean sysboxFs) {
        this.rounds = rounds;
        this.warmup = warmup;
        this.sysboxFs = sysboxFs;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 30, warmup = 3;
        boolean sysboxFs = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = positive(args, ++i);
                case "--warmup" -> warmup = nonNegative(args, ++i);
                case "--sysbox-fs" -> sysboxFs = true;
                default -> {
                    System.err.println("unknown argument \"" + args[i] + "\"; usage: StartupBenchmark [--rounds N] [--warmup W] [--sysbox-fs]");
                    System.exit(2);
                }
            }
        }
        Result result = new StartupBenchmark(rounds, warmup, sysboxFs).measure();
        System.out.println(result.report());
    }

    /** Medians in milliseconds of both runtimes over the measured rounds. */
    record Result(int rounds, boolean sysboxFs, double sysboxMedianMs, double runcMedianMs,
                  double sysboxCycleMs, double runcCycleMs, List<CallCpu> cpu) {
        double ratio() {
            return sysboxMedianMs / runcMedianMs;
        }

        String report() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, """
                    rounds: %d (after warm-up), interleaved%s; load average before: %s
                    sysbox-runc run /bin/true          median %.1f ms
                    runc run /bin/true (user ns)       median %.1f ms
                    ratio sysbox-runc / runc           %.2f (target <= %.1f: %s)
                    OCI cycle create+start+kill+delete: sysbox-runc median %.1f ms, runc %.1f ms, ratio %.2f (target <= %.1f: %s)
                    CPU per call (perf stat task-clock of the call and its children, median; sysbox-mgr's share is its
                    utime+stime over the same calls, mean):
                    """, rounds, sysboxFs ? ", sysbox-fs running" : "", LOAD_BEFORE, sysboxMedianMs, runcMedianMs, ratio(),
                    TARGET_RATIO, ratio() <= TARGET_RATIO ? "met" : "NOT met", sysboxCycleMs, runcCycleMs,
                    sysboxCycleMs / runcCycleMs, TARGET_RATIO, sysboxCycleMs / runcCycleMs <= TARGET_RATIO ? "met" : "NOT met"));
            for (CallCpu c : cpu) {
                b.append(String.format(Locale.ROOT, "  %-8s sysbox-runc %6.1f ms (+ sysbox-mgr %5.1f ms)   runc %6.1f ms%n",
                        c.call(), c.sysboxMs(), c.managerMs(), c.runcMs()));
            }
            return b.toString().stripTrailing();
        }
    }

    record CallCpu(String call, double sysboxMs, double managerMs, double runcMs) {}

    private static final String LOAD_BEFORE = loadAverage();

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    Result measure() throws IOException, InterruptedException {
        try (SuiteEnvironment env = SuiteEnvironment.start("bench");
             SysboxFsProcess fs = sysboxFs ? SysboxFsProcess.start(env) : null) {
            String sysboxCgroup = env.cgroups().pathFor("bench-sysbox");
            BusyboxBundle bundle = BusyboxBundle.create(env.work().resolve("bundles/sysbox"), env.runc(), sysboxCgroup);
            bundle.args("/bin/true").write();

            // One sysbox run first: the manager has then written its subuid entry, and the runc
            // range is chosen above every entry so the two never share host ids.
            timeSysbox(env, bundle, "bench-prime");
            long hostId = SubidFile.firstFreeAbove(env.manager().dirs().subuidFile(), RuncBundle.SIZE);
            Path runcBundle = RuncBundle.create(bundle, env.work().resolve("bundles/runc"), hostId,
                    env.cgroups().pathFor("bench-runc"));
            Path runcRoot = Files.createDirectories(env.work().resolve("runc-root"));

            List<Double> sysbox = new ArrayList<>(), runc = new ArrayList<>();
            for (int round = 0; round < warmup + rounds; round++) {
                double s = timeSysbox(env, bundle, "bench-s" + round);
                double r = timeRunc(runcRoot, runcBundle, "bench-r" + round);
                if (round >= warmup) {
                    sysbox.add(s);
                    runc.add(r);
                }
            }
            // The bare OCI cycle the engines drive (containerd's shim: create, start, kill, delete), of a
            // container that sleeps until killed.
            BusyboxBundle sleeper = BusyboxBundle.create(env.work().resolve("bundles/sysbox-sleep"), env.runc(), sysboxCgroup);
            sleeper.args("/bin/sleep", "60").write();
            Path runcSleeper = RuncBundle.create(sleeper, env.work().resolve("bundles/runc-sleep"), hostId,
                    env.cgroups().pathFor("bench-runc"));
            List<String> sysboxRunc = env.runc().command();
            List<String> plainRunc = List.of(Prerequisites.RUNC.toString(), "--root", runcRoot.toString());
            List<Double> sysboxCycle = new ArrayList<>(), runcCycle = new ArrayList<>();
            for (int round = 0; round < warmup + rounds; round++) {
                double s = cycle(sysboxRunc, sleeper.dir(), env.newContainerId("bench-cs" + round));
                double r = cycle(plainRunc, runcSleeper, "bench-cr" + round);
                if (round >= warmup) {
                    sysboxCycle.add(s);
                    runcCycle.add(r);
                }
            }
            List<CallCpu> cpu = cpuPerCall(env, sysboxRunc, plainRunc, bundle.dir(), runcBundle, sleeper.dir(), runcSleeper);
            return new Result(rounds, sysboxFs, TimedCommand.median(sysbox), TimedCommand.median(runc),
                    TimedCommand.median(sysboxCycle), TimedCommand.median(runcCycle), cpu);
        }
    }

    private static List<String> call(List<String> runtime, String... args) {
        List<String> argv = new ArrayList<>(runtime);
        argv.addAll(List.of(args));
        return argv;
    }

    /** create, start, kill, delete --force (the kill's SIGKILL may still be landing) of one container. */
    private static double cycle(List<String> runtime, Path bundle, String id) throws IOException, InterruptedException {
        return TimedCommand.millis(call(runtime, "create", "--bundle", bundle.toString(), id))
                + TimedCommand.millis(call(runtime, "start", id))
                + TimedCommand.millis(call(runtime, "kill", id, "KILL"))
                + TimedCommand.millis(call(runtime, "delete", "--force", id));
    }

    private static final int CPU_ROUNDS = 10;

    /** perf stat of each call of a run and of a cycle, sysbox-runc's and runc's interleaved. */
    private List<CallCpu> cpuPerCall(SuiteEnvironment env, List<String> sysboxRunc, List<String> plainRunc, Path runBundle,
                                     Path runcRunBundle, Path sleeper, Path runcSleeper) throws IOException, InterruptedException {
        String[] calls = {"run", "create", "start", "state", "kill", "delete"};
        List<List<Double>> s = new ArrayList<>(), m = new ArrayList<>(), r = new ArrayList<>();
        for (int i = 0; i < calls.length; i++) {
            s.add(new ArrayList<>());
            m.add(new ArrayList<>());
            r.add(new ArrayList<>());
        }
        long manager = env.manager().pid();
        for (int round = 0; round < CPU_ROUNDS; round++) {
            String sid = env.newContainerId("bench-p" + round), rid = "bench-pr" + round;
            String sid2 = env.newContainerId("bench-q" + round), rid2 = "bench-qr" + round;
            List<List<List<String>>> sysboxCalls = List.of(
                    List.of(call(sysboxRunc, "run", "--bundle", runBundle.toString(), sid2)),
                    List.of(call(sysboxRunc, "create", "--bundle", sleeper.toString(), sid)),
                    List.of(call(sysboxRunc, "start", sid)), List.of(call(sysboxRunc, "state", sid)),
                    List.of(call(sysboxRunc, "kill", sid, "KILL")), List.of(call(sysboxRunc, "delete", "--force", sid)));
            List<List<List<String>>> runcCalls = List.of(
                    List.of(call(plainRunc, "run", "--bundle", runcRunBundle.toString(), rid2)),
                    List.of(call(plainRunc, "create", "--bundle", runcSleeper.toString(), rid)),
                    List.of(call(plainRunc, "start", rid)), List.of(call(plainRunc, "state", rid)),
                    List.of(call(plainRunc, "kill", rid, "KILL")), List.of(call(plainRunc, "delete", "--force", rid)));
            for (int i = 0; i < calls.length; i++) {
                long before = cpuTicks(manager);
                s.get(i).add(TimedCommand.cpuMillis(sysboxCalls.get(i).getFirst()));
                m.get(i).add((cpuTicks(manager) - before) * 10.0);
                r.get(i).add(TimedCommand.cpuMillis(runcCalls.get(i).getFirst()));
            }
        }
        List<CallCpu> result = new ArrayList<>();
        for (int i = 0; i < calls.length; i++) {
            result.add(new CallCpu(calls[i], TimedCommand.median(s.get(i)),
                    m.get(i).stream().mapToDouble(Double::doubleValue).average().orElse(0), TimedCommand.median(r.get(i))));
        }
        return result;
    }

    /** utime + stime of a process in clock ticks (USER_HZ, 100 here: 10 ms each). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double timeSysbox(SuiteEnvironment env, BusyboxBundle bundle, String hint)
            throws IOException, InterruptedException {
        String id = env.newContainerId(hint);
        return TimedCommand.millis(env.runc().command("run", "--bundle", bundle.dir().toString(), id));
    }

    private static double timeRunc(Path runcRoot, Path bundle, String id) throws IOException, InterruptedException {
        return TimedCommand.millis(List.of(Prerequisites.RUNC.toString(), "--root", runcRoot.toString(), "run", "--bundle",
                bundle.toString(), id));
    }

    private static int positive(String[] args, int i) {
        int n = nonNegative(args, i);
        if (n == 0) throw new IllegalArgumentException(args[i - 1] + " must be at least 1");
        return n;
    }

    private static int nonNegative(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a number");
        int n = Integer.parseInt(args[i]);
        if (n < 0) throw new IllegalArgumentException(args[i - 1] + " must not be negative");
        return n;
    }
}
