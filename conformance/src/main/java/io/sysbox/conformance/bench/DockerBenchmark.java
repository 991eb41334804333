package io.sysbox.conformance.bench;

import io.sysbox.conformance.docker.DockerEnvironment;
import io.sysbox.conformance.docker.PrivateDockerd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3's first benchmark: `docker run --rm BUSYBOX true` with sysbox-runc and with runc on the
 * same private dockerd, interleaved.
 * Target (issue 9): median ratio at most 1.3. Usage: DockerBenchmark [ROUNDS], with -Dsysbox.dist=DIST.
 */
public final class DockerBenchmark {
    private static final int WARMUP = 2;

    private DockerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (DockerEnvironment env = DockerEnvironment.start("docker-bench", Map.of())) {
            String busybox = env.image("busybox");
            Samples sysbox = new Samples(), runc = new Samples();
            for (int i = 0; i < WARMUP + rounds; i++) {
                double s = TimedCommand.millis(env.dockerd().command("run", "--rm", "--runtime=sysbox-runc", busybox, "true"));
                double r = TimedCommand.millis(env.dockerd().command("run", "--rm", "--runtime=runc", busybox, "true"));
                if (i >= WARMUP) {
                    sysbox.add(s);
                    runc.add(r);
                }
            }
            System.out.printf(Locale.ROOT, "rounds: %d (after warm-up), interleaved; median (p25-p75) in ms%n", rounds);
            print("docker run --rm busybox true, sysbox-runc", sysbox);
            print("docker run --rm busybox true, runc", runc);
            ratio("ratio sysbox-runc / runc", sysbox, runc, 1.3);
            innerDocker(env, busybox, rounds);
        }
    }

    /**
     * Issue 3's second benchmark: `docker run --rm busybox true` by the dockerd inside a system
     * container (debian-docker) vs by the host's dockerd with runc. The inner dockerd runs with
     * the host one's options (no bridge, no iptables, overlay2), so both runs do the same work:
     * an inner dockerd with its default bridge, or a run with --network none on one side only,
     * adds Docker's network set-up (a veth pair, or the libnetwork-setkey prestart hook, which
     * execs dockerd again) to one side. Both are timed by a shell around the one command (inside:
     * in the container), so `docker exec` itself is not counted. A second pair runs both with
     * --network none, which adds that hook to both.
     */
    private static void innerDocker(DockerEnvironment env, String busybox, int rounds) throws Exception {
        Path images = env.suite().rootOnlyDirectory("bench-images");
        Files.copy(env.imageTarball("busybox"), images.resolve("busybox.tar"));
        List<String> run = new ArrayList<>(List.of("-d", "-v", images + ":/images:ro", env.image("debian-docker"), "dockerd"));
        run.addAll(PrivateDockerd.DAEMON_OPTIONS);
        String id = env.run(run.toArray(String[]::new)).stdout().strip();
        try {
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (!env.docker("exec", id, "docker", "info").succeeded()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("inner dockerd did not start");
                Thread.sleep(500);
            }
            if (!env.docker("exec", id, "docker", "import", "/images/busybox.tar", "inner-busybox").succeeded()) {
                throw new IllegalStateException("cannot load busybox into the inner dockerd");
            }
            Samples inner = new Samples(), host = new Samples(), innerNone = new Samples(), hostNone = new Samples();
            for (int i = 0; i < WARMUP + rounds; i++) {
                double in = innerRun(env, id, "");
                double out = hostRun(env, busybox, "");
                double inNone = innerRun(env, id, "--network none ");
                double outNone = hostRun(env, busybox, "--network none ");
                if (i >= WARMUP) {
                    inner.add(in);
                    host.add(out);
                    innerNone.add(inNone);
                    hostNone.add(outNone);
                }
            }
            print("inner docker run --rm busybox true (in a system container)", inner);
            print("host docker run --rm busybox true (runc)", host);
            ratio("ratio inner / host", inner, host, 1.3);
            print("the same with --network none on both: inner", innerNone);
            print("                                       host", hostNone);
            ratio("ratio inner / host, --network none", innerNone, hostNone, 1.3);
        } finally {
            env.docker("rm", "-f", id);
        }
    }

    private static final String TIMING = "s=$(date +%s%N); COMMAND >/dev/null 2>&1 || exit 1; e=$(date +%s%N); echo $(( (e-s)/1000 ))";

    private static double innerRun(DockerEnvironment env, String id, String options) {
        return micros(env.docker("exec", id, "sh", "-c",
                TIMING.replace("COMMAND", "docker run --rm " + options + "inner-busybox true")).stdout());
    }

    private static double hostRun(DockerEnvironment env, String busybox, String options) {
        String command = String.join(" ", env.dockerd().command("run", "--rm", "--runtime=runc")) + " " + options + busybox + " true";
        return micros(env.suite().runner().run(List.of("sh", "-c", TIMING.replace("COMMAND", command))).stdout());
    }

    private static double micros(String printed) {
        String value = printed.strip();
        if (value.isEmpty()) throw new IllegalStateException("a timed docker run failed");
        return Long.parseLong(value) / 1000.0;
    }

    private static void print(String label, Samples samples) {
        System.out.printf(Locale.ROOT, "%-62s %6.1f (%.1f-%.1f)%n", label, samples.percentile(50),
                samples.percentile(25), samples.percentile(75));
    }

    private static void ratio(String label, Samples a, Samples b, double target) {
        double r = a.percentile(50) / b.percentile(50);
        System.out.printf(Locale.ROOT, "%-62s %6.2f (target <= %.1f: %s)%n", label, r, target, r <= target ? "met" : "NOT met");
    }

    /** Wall times of one kind of run, in ms. */
    private static final class Samples {
        private final List<Double> values = new ArrayList<>();

        void add(double ms) {
            values.add(ms);
        }

        /** Nearest-rank percentile; the 50th is TimedCommand's median for an odd count. */
        double percentile(int p) {
            if (p == 50) return TimedCommand.median(values);
            List<Double> sorted = values.stream().sorted().toList();
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.get(Math.max(0, rank - 1));
        }
    }
}
