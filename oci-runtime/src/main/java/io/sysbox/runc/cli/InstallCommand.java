package io.sysbox.runc.cli;

import io.sysbox.runc.install.ConfigChange;
import io.sysbox.runc.install.DockerDaemonConfig;
import io.sysbox.runc.install.DockerReload;
import io.sysbox.runc.install.ReloadOutcome;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** install: registers sysbox-runc as a Docker runtime in daemon.json and has dockerd reload it. */
public final class InstallCommand implements Command {
    public static final String RUNTIME_NAME = "sysbox-runc";
    public static final Path DEFAULT_RUNTIME_PATH = Path.of("/usr/local/sbin/sysbox-runc");
    static final FlagSet FLAGS = new FlagSet("install")
            .value("docker-config").value("docker-pidfile").value("runtime-path")
            .bool("default").bool("uninstall");

    @Override
    public String name() {
        return "install";
    }

    @Override
    public String summary() {
        return "register sysbox-runc as a Docker runtime (daemon.json) and reload dockerd";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc install [command options]

                Adds "runtimes": {"sysbox-runc": {"path": PATH}} to Docker's daemon.json, keeping every
                other key (the file is created if missing), then sends SIGHUP to a running dockerd so
                that `docker run --runtime=sysbox-runc` works without restarting it. Running it again
                changes nothing. With --uninstall, removes the runtime and, if default-runtime is
                sysbox-runc, sets it back to runc (dockerd reloads only keys that are present).

                Options:
                   --docker-config value   Docker's daemon.json (default: /etc/docker/daemon.json)
                   --docker-pidfile value  dockerd's pidfile, to find the dockerd to reload (default: /var/run/docker.pid)
                   --runtime-path value    the sysbox-runc executable dockerd runs (default: /usr/local/sbin/sysbox-runc)
                   --default               also make sysbox-runc Docker's default runtime ("default-runtime")
                   --uninstall             remove sysbox-runc from daemon.json instead
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        FlagSet.Parsed p = parse(FLAGS, args, 0);
        if (!p.positional().isEmpty()) {
            throw new UsageException(name(), "\"install\" takes no arguments, got \"" + p.positional().getFirst() + "\"");
        }
        boolean uninstall = p.bool("uninstall");
        if (uninstall && (p.has("runtime-path") || p.bool("default"))) {
            throw new UsageException(name(), "--uninstall removes the runtime: it takes neither --runtime-path nor --default");
        }
        Path runtimePath = Path.of(p.value("runtime-path", DEFAULT_RUNTIME_PATH.toString())).toAbsolutePath().normalize();
        DockerDaemonConfig config = new DockerDaemonConfig(Path.of(p.value("docker-config",
                DockerDaemonConfig.DEFAULT_FILE.toString())));
        PrintStream out = invocation.out();
        ConfigChange change = uninstall
                ? config.unregister(RUNTIME_NAME)
                : config.register(RUNTIME_NAME, runtimePath, p.bool("default"));
        if (!uninstall && !Files.isExecutable(runtimePath)) {
            invocation.err().println("sysbox-runc install: warning: " + runtimePath + " is not an executable file"
                    + " (yet): docker run --runtime=" + RUNTIME_NAME + " fails until it is");
        }
        if (!change.changed()) {
            out.println(change.file() + ": unchanged (" + (uninstall
                    ? "runtime " + RUNTIME_NAME + " is not registered"
                    : "runtime " + RUNTIME_NAME + " already registered with path " + runtimePath
                            + (p.bool("default") ? ", and the default runtime" : "")) + ")");
            return 0;
        }
        for (String line : change.changes()) out.println(change.file() + ": " + line);
        invocation.log().debug("install: " + change.file() + ": " + String.join("; ", change.changes()));
        ReloadOutcome reload = new DockerReload(Path.of(p.value("docker-pidfile",
                DockerReload.DEFAULT_PIDFILE.toString()))).reload();
        out.println(reload.message());
        return 0;
    }
}
