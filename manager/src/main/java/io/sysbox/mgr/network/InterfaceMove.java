package io.sysbox.mgr.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
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
 * through the CNI gateway) are re-added in the order they were listed.
 */
public final class InterfaceMove {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 10;

    private InterfaceMove() {}

    /** Moves the interfaces of FROM (a namespace file) into the network namespace of process TO_PID. */
    public static List<String> all(Path from, long toPid) throws IOException {
        Path to = Path.of("/proc", Long.toString(toPid), "ns", "net");
        List<String> moved = new ArrayList<>();
        run(to, "ip", "link", "set", "dev", "lo", "up");
        for (JsonNode link : json(from, "ip", "-j", "link", "show")) {
            String name = link.path("ifname").asText();
            if (name.isEmpty() || name.equals("lo")) continue;
            JsonNode addresses = json(from, "ip", "-j", "addr", "show", "dev", name);
            List<JsonNode> routes = new ArrayList<>();
            for (String family : List.of("-4", "-6")) {
                for (JsonNode route : json(from, "ip", "-j", family, "route", "show", "dev", name)) {
                    if (!route.path("protocol").asText().equals("kernel")) routes.add(route);
                }
            }
            run(from, "ip", "link", "set", "dev", name, "netns", Long.toString(toPid));
            for (JsonNode entry : addresses) {
                for (JsonNode address : entry.path("addr_info")) {
                    // Link-local IPv6 addresses are made again by the kernel when the link comes up.
                    if (address.path("scope").asText().equals("link")) continue;
                    run(to, "ip", "addr", "add", address.path("local").asText() + "/" + address.path("prefixlen").asInt(),
                            "dev", name);
                }
            }
            run(to, "ip", "link", "set", "dev", name, "up");
            for (JsonNode route : routes) run(to, routeAdd(route, name));
            moved.add(name);
        }
        return moved;
    }

    private static String[] routeAdd(JsonNode route, String dev) {
        List<String> args = new ArrayList<>(List.of("ip", "route", "add", route.path("dst").asText()));
        if (route.has("gateway")) args.addAll(List.of("via", route.path("gateway").asText()));
        args.addAll(List.of("dev", dev));
        if (route.has("scope") && !route.path("scope").asText().equals("global")) {
            args.addAll(List.of("scope", route.path("scope").asText()));
        }
        if (route.has("metric")) args.addAll(List.of("metric", route.path("metric").asText()));
        if (route.has("prefsrc")) args.addAll(List.of("src", route.path("prefsrc").asText()));
        return args.toArray(String[]::new);
    }

    private static JsonNode json(Path netns, String... ip) throws IOException {
        String out = run(netns, ip);
        return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
    }

    private static String run(Path netns, String... ip) throws IOException {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + netns, "--"));
        command.addAll(List.of(ip));
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (status " + process.exitValue() + "): " + err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
