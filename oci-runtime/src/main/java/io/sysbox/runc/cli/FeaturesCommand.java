package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.RuntimeCapabilities;

import java.util.List;

/** features: the OCI features document (runtime-spec features.md) of a system-container runtime. */
public final class FeaturesCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("features");

    @Override
    public String name() {
        return "features";
    }

    @Override
    public String summary() {
        return "show the enabled features";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc features

                Prints the OCI features JSON: supported hooks, mount options, namespaces,
                capabilities, and that idmapped mounts are enabled.
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        parse(FLAGS, args, 0);
        ObjectNode f = Spec.JSON.createObjectNode();
        f.put("ociVersionMin", "1.0.0").put("ociVersionMax", "1.1.0");
        strings(f.putArray("hooks"), "prestart", "createRuntime", "createContainer", "startContainer",
                "poststart", "poststop");
        strings(f.putArray("mountOptions"), "bind", "rbind", "ro", "rw", "nosuid", "suid", "nodev", "dev",
                "noexec", "exec", "private", "rprivate", "shared", "rshared", "slave", "rslave",
                "relatime", "norelatime", "strictatime", "nostrictatime", "noatime", "atime", "idmap", "ridmap");
        ObjectNode linux = f.putObject("linux");
        strings(linux.putArray("namespaces"), "cgroup", "ipc", "mount", "network", "pid", "user", "uts");
        ArrayNode caps = linux.putArray("capabilities");
        RuntimeCapabilities.ofProcess(Long.toString(invocation.caller().pid())).names().forEach(caps::add);
        ObjectNode cgroup = linux.putObject("cgroup");
        cgroup.put("v1", true).put("v2", true).put("systemd", false).put("systemdUser", false);
        ObjectNode seccomp = linux.putObject("seccomp");
        seccomp.put("enabled", true);
        strings(seccomp.putArray("actions"), "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
                "SCMP_ACT_TRACE", "SCMP_ACT_TRAP");
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        linux.putObject("intelRdt").put("enabled", false);
        ObjectNode ext = linux.putObject("mountExtensions");
        ext.putObject("idmap").put("enabled", true);
        ObjectNode annotations = f.putObject("annotations");
        annotations.put("io.github.sysbox.runtime", "sysbox-runc");
        annotations.put("io.github.sysbox.low-level-runtime", invocation.options().lowLevelRuntime());
        invocation.out().println(Spec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(f));
        return 0;
    }

    private static void strings(ArrayNode array, String... values) {
        for (String v : values) array.add(v);
    }
}
