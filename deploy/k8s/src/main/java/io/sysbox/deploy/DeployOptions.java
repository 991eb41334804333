package io.sysbox.deploy;

import io.sysbox.install.host.DaemonFlags;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * sysbox-deploy's settings: flags, and the environment the DaemonSet sets (NODE_NAME from the
 * downward API; SYSBOX_MGR_FLAGS and SYSBOX_FS_FLAGS from the ConfigMap of daemon flags).
 */
public record DeployOptions(String node, Path hostRoot, Path dist, Path prefix, boolean cleanup, boolean stay,
                            DaemonFlags flags) {
    public static final String USAGE = """
            Usage: sysbox-deploy [--cleanup] [--host-root DIR] [--dist DIR] [--prefix DIR] [--stay]

            Installs sysbox-runc on the node named by NODE_NAME (the DaemonSet sets it), whose root is
            mounted at --host-root (default /host): taints the node while installing, labels it
            sysbox-runtime=running, creates the RuntimeClass sysbox-runc. --cleanup undoes all of it.
            SYSBOX_MGR_FLAGS and SYSBOX_FS_FLAGS add daemon flags. --stay keeps running afterwards
            (a DaemonSet's pod must).
            """;

    public static DeployOptions parse(List<String> args, Map<String, String> env, Path defaultDist) {
        String node = env.get("NODE_NAME");
        Path hostRoot = Path.of("/host");
        Path dist = defaultDist;
        Path prefix = Path.of("/usr/local");
        boolean cleanup = false;
        boolean stay = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--cleanup" -> cleanup = true;
                case "--stay" -> stay = true;
                case "--host-root" -> hostRoot = Path.of(value(args, ++i, arg));
                case "--dist" -> dist = Path.of(value(args, ++i, arg));
                case "--prefix" -> prefix = Path.of(value(args, ++i, arg));
                case "--node" -> node = value(args, ++i, arg);
                default -> throw new IllegalArgumentException("unknown flag " + arg + "\n" + USAGE);
            }
        }
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("NODE_NAME is not set: the DaemonSet passes it (env from fieldRef"
                    + " spec.nodeName); by hand, pass --node NAME");
        }
        return new DeployOptions(node, hostRoot, dist, prefix, cleanup, stay,
                DaemonFlags.parse(env.get("SYSBOX_MGR_FLAGS"), env.get("SYSBOX_FS_FLAGS")));
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        return args.get(i);
    }
}
