package io.sysbox.install.host;

import java.nio.file.Path;
import java.util.List;

/**
 * A daemon on the host the installer restarts: by its systemd UNIT where systemd runs the host,
 * else by its pid file.
 *
 * @param unit         the systemd unit
 * @param pidFile      host path of its pid file (null when it writes none)
 * @param processName  a word its command line holds, so a stale pid file's reused pid is left alone
 * @param startCommand how to start it (empty: the command line it was running with)
 * @param log          host path of its output when started without systemd
 */
public record Service(String unit, Path pidFile, String processName, List<String> startCommand, Path log) {
    public Service {
        startCommand = List.copyOf(startCommand);
    }

    public static final Service CONTAINERD = new Service("containerd.service", null, "containerd", List.of(),
            Path.of("/var/log/containerd.log"));
    public static final Service CRIO = new Service("crio.service", null, "crio", List.of(), Path.of("/var/log/crio.log"));

    /** sysboxd, which runs sysbox-mgr and sysbox-fs (under systemd as its wanted units). */
    public static Service sysboxd(Path prefix, List<String> managerFlags) {
        List<String> command = new java.util.ArrayList<>(List.of(prefix.resolve("sbin/sysboxd").toString()));
        if (!managerFlags.isEmpty()) {
            command.add("--");
            command.addAll(managerFlags);
        }
        return new Service("sysboxd.service", Path.of("/run/sysbox/sysboxd.pid"), "sysboxd", command,
                Path.of("/var/log/sysboxd.log"));
    }

    public String name() {
        return unit.endsWith(".service") ? unit.substring(0, unit.length() - ".service".length()) : unit;
    }
}
