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
 * interleaved so both see the same machine state. Target: median ratio at most 2.0.
 *
 * <p>With --sysbox-fs a sysbox-fs runs beside the manager, so each container is also
 * registered with it and gets its emulated files, /proc/sys ones through the createRuntime hook.
 *
 * <p>Usage: StartupBenchmark [--rounds N] [--warmup W] [--sysbox-fs], with -Dsysbox.dist=DIST.
 */
public final class StartupBenchmark {
    static final double TARGET_RATIO = 2.0;

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
    record Result(int rounds, boolean sysboxFs, double sysboxMedianMs, double runcMedianMs) {
        double ratio() {
            return sysboxMedianMs / runcMedianMs;
        }

        String report() {
            return String.format(Locale.ROOT, """
                    rounds: %d (after warm-up), interleaved%s
                    sysbox-runc run /bin/true          median %.1f ms
                    runc run /bin/true (user ns)       median %.1f ms
                    ratio sysbox-runc / runc           %.2f (target <= %.1f: %s)""",
                    rounds, sysboxFs ? ", sysbox-fs running" : "", sysboxMedianMs, runcMedianMs, ratio(), TARGET_RATIO,
                    ratio() <= TARGET_RATIO ? "met" : "NOT met");
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
            return new Result(rounds, sysboxFs, TimedCommand.median(sysbox), TimedCommand.median(runc));
        }
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
