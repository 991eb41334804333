package io.sysbox.conformance.bench;

import io.sysbox.conformance.SuiteEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why sysbox-runc does not use gRPC: the start-up of a fresh JVM that makes one manager call
 * through the gRPC client (grpc-java, Netty) and through the framed channel, each JVM with an
 * AOT cache recorded for exactly that call (as install.sh does for sysbox-runc), interleaved.
 * Usage: ChannelBenchmark [ROUNDS], with -Dsysbox.dist=DIST and this module's classpath in
 * -Dchannel.classpath.
 */
public final class ChannelBenchmark {
    private ChannelBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String classpath = System.getProperty("channel.classpath");
        if (classpath == null) throw new IllegalArgumentException("-Dchannel.classpath is needed");
        try (SuiteEnvironment env = SuiteEnvironment.start("channel-bench")) {
            Path runDir = env.manager().dirs().runDir();
            Path aotDir = Files.createDirectories(env.work().resolve("aot"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (String kind : List.of("grpc", "framed")) {
                TimedCommand.millis(probe(java, classpath, "-XX:AOTCacheOutput=" + aotDir.resolve(kind + ".aot"), kind, runDir));
            }
            List<Double> grpc = new ArrayList<>(), framed = new ArrayList<>();
            for (int i = 0; i < rounds + 2; i++) {
                double g = TimedCommand.millis(probe(java, classpath, "-XX:AOTCache=" + aotDir.resolve("grpc.aot"), "grpc", runDir));
                double f = TimedCommand.millis(probe(java, classpath, "-XX:AOTCache=" + aotDir.resolve("framed.aot"), "framed", runDir));
                if (i >= 2) {
                    grpc.add(g);
                    framed.add(f);
                }
            }
            double g = TimedCommand.median(grpc), f = TimedCommand.median(framed);
            System.out.printf(Locale.ROOT, """
                    rounds: %d, interleaved, each JVM with its own AOT cache
                    one List call through gRPC (Netty)     median %.1f ms
                    one List call through the framed channel median %.1f ms
                    ratio gRPC / framed                    %.2f
                    """, rounds, g, f, g / f);
        }
    }

    private static List<String> probe(String java, String classpath, String aot, String kind, Path runDir) {
        return List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xrs",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xlog:disable",
                aot, "-cp", classpath, ChannelProbe.class.getName(), kind, runDir.toString());
    }
}
