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
            innerDocker(env, busybox, rounds, warmup);
        }
    }

    /**
     * Issue 3's second benchmark: `docker run --rm busybox true` by the dockerd inside a system
     * container (debian-docker) vs by the host's dockerd with runc. Both are timed by a shell
     * around the one command (inside: in the container), so `docker exec` itself is not counted;
     * neither sets up networking (the test dockerd runs with --bridge none, so the inner run
     * uses --network none).
     */
    private static void innerDocker(DockerEnvironment env, String busybox, int rounds, int warmup) throws Exception {
        java.nio.file.Path images = env.suite().rootOnlyDirectory("bench-images");
        java.nio.file.Files.copy(env.imageTarball("busybox"), images.resolve("busybox.tar"));
        String id = env.run("-d", "-v", images + ":/images:ro", env.image("debian-docker"), "dockerd").stdout().strip();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!env.docker("exec", id, "docker", "info").succeeded()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("inner dockerd did not start");
            Thread.sleep(500);
        }
        if (!env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox").succeeded()) {
            throw new IllegalStateException("cannot load busybox into the inner dockerd");
        }
        String timing = "s=$(date +%s%N); COMMAND >/dev/null 2>&1 || exit 1; e=$(date +%s%N); echo $(( (e-s)/1000 ))";
        List<Double> inner = new ArrayList<>(), host = new ArrayList<>();
        for (int i = 0; i < warmup + rounds; i++) {
            double in = micros(env.docker("exec", id, "sh", "-c", timing.replace("COMMAND", "docker run --rm --network none inner-busybox true")).stdout());
            double out = micros(env.suite().runner().run(List.of("sh", "-c", timing.replace("COMMAND",
                    String.join(" ", env.dockerd().command("run", "--rm", "--runtime=runc", busybox, "true"))))).stdout());
            if (i >= warmup) {
                inner.add(in);
                host.add(out);
            }
        }
        env.docker("rm", "-f", id);
        double in = TimedCommand.median(inner), out = TimedCommand.median(host);
        System.out.printf(Locale.ROOT, """
                inner docker run --rm busybox true (in a system container)  median %.1f ms
                host docker run --rm busybox true (runc)                    median %.1f ms
                ratio inner / host                                          %.2f (target <= 1.3: %s)
                """, in, out, in / out, in / out <= 1.3 ? "met" : "NOT met");
    }

    private static double micros(String printed) {
        String value = printed.strip();
        if (value.isEmpty()) throw new IllegalStateException("a timed docker run failed");
        return Long.parseLong(value) / 1000.0;
    }
}
