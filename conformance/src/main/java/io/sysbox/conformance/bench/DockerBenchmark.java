package io.sysbox.conformance.bench;

import io.sysbox.conformance.docker.DockerEnvironment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3's first benchmark: `docker run --rm BUSYBOX true` with sysbox-runc and with runc on the
 * same private dockerd, interleaved, with sysbox-runc's AOT cache recorded as install.sh does.
 * Target: median ratio at most 1.5. Usage: DockerBenchmark [ROUNDS], with -Dsysbox.dist=DIST.
 */
public final class DockerBenchmark {
    private DockerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmup = 2;
        try (DockerEnvironment env = DockerEnvironment.start("docker-bench", Map.of())) {
            StartupBenchmark.recordAotCache(env.suite());
            String busybox = env.image("busybox");
            List<Double> sysbox = new ArrayList<>(), runc = new ArrayList<>();
            for (int i = 0; i < warmup + rounds; i++) {
                double s = TimedCommand.millis(env.dockerd().command("run", "--rm", "--runtime=sysbox-runc", busybox, "true"));
                double r = TimedCommand.millis(env.dockerd().command("run", "--rm", "--runtime=runc", busybox, "true"));
                if (i >= warmup) {
                    sysbox.add(s);
                    runc.add(r);
                }
            }
            double s = TimedCommand.median(sysbox), r = TimedCommand.median(runc);
            System.out.printf(Locale.ROOT, """
                    rounds: %d (after warm-up), interleaved
                    docker run --rm busybox true, sysbox-runc  median %.1f ms
                    docker run --rm busybox true, runc         median %.1f ms
                    ratio sysbox-runc / runc                   %.2f (target <= 1.5: %s)
                    """, rounds, s, r, s / r, s / r <= 1.5 ? "met" : "NOT met");
        }
    }
}
