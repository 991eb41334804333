package io.sysbox.conformance.cri;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Prerequisites;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pods' network for a test containerd: a CNI bridge of its own name and subnet, host-local
 * addresses kept in the test's tree, no masquerading and no port mapping (so no iptables rule).
 * {@link #close()} deletes the bridge and any CNI result cache entry of this network.
 */
public record CniBridge(String networkName, String bridge, String subnet, Path confDir, Path ipamDir,
                        CommandRunner runner) implements AutoCloseable {
    public static final Path PLUGINS = Path.of("/usr/lib/cni");
    /** libcni's result cache; containerd 1.6 has no setting for it. */
    private static final Path RESULT_CACHE = Path.of("/var/lib/cni/results");

    public static CniBridge create(Path dir, String networkName, String bridge, String subnet, CommandRunner runner)
            throws IOException {
        for (String plugin : List.of("bridge", "host-local", "loopback")) {
            Prerequisites.requireExecutable(PLUGINS.resolve(plugin), "containernetworking-plugins");
        }
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            throw new IllegalStateException("network interface " + bridge + " already exists: another test run or "
                    + "another tool uses it; delete it (`ip link del " + bridge + "`) if it is a leftover");
        }
        Path confDir = Files.createDirectories(dir.resolve("cni-conf"));
        Path ipamDir = Files.createDirectories(dir.resolve("cni-ipam"));
        Files.writeString(confDir.resolve("10-" + networkName + ".conflist"), """
                {
                  "cniVersion": "0.4.0",
                  "name": "%s",
                  "plugins": [
                    {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                     "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}],
                              "dataDir": "%s"}},
                    {"type": "loopback"}
                  ]
                }
                """.formatted(networkName, bridge, subnet, ipamDir));
        return new CniBridge(networkName, bridge, subnet, confDir, ipamDir, runner);
    }

    /** Cached CNI results of this network (one per pod attachment still set up). */
    public List<Path> cachedResults() {
        if (!Files.isDirectory(RESULT_CACHE)) return List.of();
        try (var entries = Files.list(RESULT_CACHE)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(networkName + "-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + RESULT_CACHE + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        for (Path cached : cachedResults()) {
            problems.add("CNI result left in the cache: " + cached);
            try {
                Files.deleteIfExists(cached);
            } catch (IOException e) {
                problems.add("cannot delete " + cached + ": " + e.getMessage());
            }
        }
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            CommandResult del = runner.run(List.of("ip", "link", "del", bridge));
            if (!del.succeeded()) problems.add(del.describe());
        }
        if (!problems.isEmpty()) throw new IllegalStateException("CNI cleanup:\n  " + String.join("\n  ", problems));
    }
}
