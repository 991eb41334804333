package io.sysbox.conformance.bench;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.Prerequisites;
import io.sysbox.conformance.SuiteEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The cost of intercepting mounts (issue 11, acceptance 8): `mount -t tmpfs` / `umount` pairs
 * inside a system container, whose filter hands both calls to sysbox-fs, against the same pairs
 * in a plain runc container (no user namespace, CAP_SYS_ADMIN), interleaved round by round. Each
 * round is one exec running BATCH pairs in a shell loop; the time of an exec of an empty loop in
 * the same container is subtracted, so what remains is the pairs. Target: ratio at most 3.
 *
 * <p>Usage: MountBenchmark [--pairs 1000] [--batch 100], with -Dsysbox.dist=DIST.
 */
public final class MountBenchmark {
    static final double TARGET_RATIO = 3;

    public static void main(String[] args) throws Exception {
        int pairs = 1000, batch = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument \"" + args[i] + "\"; usage: MountBenchmark [--pairs N] [--batch B]");
                    System.exit(2);
                }
            }
        }
        if (pairs < batch || batch < 1) throw new IllegalArgumentException("--pairs must be at least --batch, which must be positive");
        try (EmulationSuite suite = EmulationSuite.start("mountbench")) {
            System.out.println(measure(suite.env(), pairs / batch, batch));
        }
    }

    private static String loop(int n, boolean mounts) {
        String body = mounts ? "mount -t tmpfs tmpfs /mnt/b && umount /mnt/b" : "true";
        return "mkdir -p /mnt/b; i=0; while [ $i -lt " + n + " ]; do " + body + " || exit 1; i=$((i+1)); done";
    }

    private static String measure(SuiteEnvironment env, int rounds, int batch) throws Exception {
        String sysboxId = env.newContainerId("bench");
        BusyboxBundle sysboxBundle = env.bundle(sysboxId);
        env.runc().run("run", "--detach", "--bundle", sysboxBundle.dir().toString(), sysboxId).requireSuccess();

        String runcId = "mountbench-runc-" + Long.toHexString(System.nanoTime());
        Path runcRoot = env.directory("bench-runc-root");
        BusyboxBundle runcBundle = BusyboxBundle.forRunc(env.work().resolve("bundles").resolve(runcId), env.runner(),
                env.cgroups().pathFor(runcId));
        runcBundle.capabilities("CAP_SYS_ADMIN").write();
        List<String> runc = List.of(Prerequisites.RUNC.toString(), "--root", runcRoot.toString());
        try {
            env.runner().run(concat(runc, "create", "--bundle", runcBundle.dir().toString(), runcId)).requireSuccess();
            env.runner().run(concat(runc, "start", runcId)).requireSuccess();
            List<Double> sysbox = new ArrayList<>(), plain = new ArrayList<>();
            // One warm-up round each, not counted.
            for (int round = -1; round < rounds; round++) {
                double s = pairsMs(() -> env.runc().run("exec", sysboxId, "sh", "-c", loop(batch, true)),
                        () -> env.runc().run("exec", sysboxId, "sh", "-c", loop(batch, false)));
                double r = pairsMs(() -> env.runner().run(concat(runc, "exec", runcId, "sh", "-c", loop(batch, true))),
                        () -> env.runner().run(concat(runc, "exec", runcId, "sh", "-c", loop(batch, false))));
                if (round >= 0) {
                    sysbox.add(s);
                    plain.add(r);
                }
            }
            double sysboxUs = median(sysbox) * 1000 / batch, runcUs = median(plain) * 1000 / batch;
            double ratio = sysboxUs / runcUs;
            return String.format(Locale.ROOT, """
                    %d mount -t tmpfs / umount pairs each, %d rounds of %d, interleaved (median per pair, the exec of an empty loop subtracted)
                    sysbox-runc container (mount and umount2 through sysbox-fs)  %.0f us
                    plain runc container                                         %.0f us
                    ratio                                                        %.2f (target <= %.0f: %s)""",
                    rounds * batch, rounds, batch, sysboxUs, runcUs, ratio, TARGET_RATIO,
                    ratio <= TARGET_RATIO ? "met" : "NOT met");
        } finally {
            env.runner().run(concat(runc, "delete", "--force", runcId));
        }
    }

    /** Milliseconds of the pairs' exec minus the empty loop's. */
    private static double pairsMs(java.util.function.Supplier<CommandResult> pairs,
                                  java.util.function.Supplier<CommandResult> empty) {
        long t0 = System.nanoTime();
        pairs.get().requireSuccess();
        long t1 = System.nanoTime();
        empty.get().requireSuccess();
        long t2 = System.nanoTime();
        return Math.max(0, (t1 - t0) - (t2 - t1)) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
