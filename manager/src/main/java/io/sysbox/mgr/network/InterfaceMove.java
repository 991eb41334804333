package io.sysbox.mgr.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves every interface but {@code lo} from one network namespace to another with their
 * addresses and routes, through iproute2 (`nsenter --net=NS ip ...`): a link that changes
 * namespace loses its addresses and routes, so they are read first (`ip -j`) and added again
 * on the other side. Kernel routes come back with the addresses; the others (a default route
 * through the CNI gateway) are re-added in the order they were listed. Each side's changes go
 * through one `ip -batch` process: this runs in every pod sandbox's create, and a process start
 * from the JVM is what it costs.
 */
public final class InterfaceMove {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 10;

    private InterfaceMove() {}

    /** Moves the interfaces of FROM (a namespace file) into the network namespace of process TO_PID. */
    public static List<String> all(Path from, long toPid) throws IOException {
        Path to = Path.of("/proc", Long.toString(toPid), "ns", "net");
        List<String> moved = new ArrayList<>();
        List<String> move = new ArrayList<>();
        List<String> configure = new ArrayList<>(List.of("link set dev lo up"));
        List<String> routes6 = new ArrayList<>();
        boolean ipv6 = false;
        for (JsonNode link : json(run(from, null, "ip", "-j", "addr", "show"))) {
            String name = link.path("ifname").asText();
            if (name.isEmpty() || name.equals("lo")) continue;
            moved.add(name);
            move.add("link set dev " + name + " netns " + toPid);
            for (JsonNode address : link.path("addr_info")) {
                // Link-local IPv6 addresses are made again by the kernel when the link comes up.
                if (address.path("scope").asText().equals("link")) continue;
                ipv6 |= address.path("family").asText().equals("inet6");
                configure.add("addr add " + address.path("local").asText() + "/" + address.path("prefixlen").asInt()
                        + " dev " + name);
            }
            configure.add("link set dev " + name + " up");
        }
        if (moved.isEmpty()) return moved;
        for (String family : ipv6 ? List.of("-4", "-6") : List.of("-4")) {
            for (JsonNode route : json(run(from, null, "ip", "-j", family, "route", "show"))) {
                if (route.path("protocol").asText().equals("kernel") || !moved.contains(route.path("dev").asText())) continue;
                (family.equals("-4") ? configure : routes6).add(routeAdd(route));
            }
        }
        run(from, move, "ip", "-batch", "-");
        run(to, configure, "ip", "-batch", "-");
        // A batch line takes no family option, and "default" alone means IPv4's.
        if (!routes6.isEmpty()) run(to, routes6, "ip", "-6", "-batch", "-");
        return moved;
    }

    private static String routeAdd(JsonNode route) {
        StringBuilder line = new StringBuilder("route add " + route.path("dst").asText());
        if (route.has("gateway")) line.append(" via ").append(route.path("gateway").asText());
        line.append(" dev ").append(route.path("dev").asText());
        if (route.has("scope") && !route.path("scope").asText().equals("global")) {
            line.append(" scope ").append(route.path("scope").asText());
        }
        if (route.has("metric")) line.append(" metric ").append(route.path("metric").asText());
        if (route.has("prefsrc")) line.append(" src ").append(route.path("prefsrc").asText());
        return line.toString();
    }

    private static JsonNode json(String out) throws IOException {
        return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
    }

    /** `nsenter --net=NETNS IP...` with the lines of STDIN (null: none); its stdout, or an IOException naming it. */
    private static String run(Path netns, List<String> stdin, String... ip) throws IOException {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + netns, "--"));
        command.addAll(List.of(ip));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (stdin == null) builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process process = builder.start();
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write((String.join("\n", stdin) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + (stdin == null ? "" : " with " + stdin)
                        + " failed (status " + process.exitValue() + "): " + err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
