package io.sysbox.install.cli;

import io.sysbox.install.docker.ConfigChange;
import io.sysbox.install.docker.DockerDaemonConfig;
import io.sysbox.install.docker.DockerReload;
import io.sysbox.install.docker.ReloadOutcome;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** docker: registers sysbox-runc as a Docker runtime in daemon.json and has dockerd reload it. */
final class DockerCommand implements Command {
    static final String RUNTIME_NAME = "sysbox-runc";
    static final Path DEFAULT_RUNTIME_PATH = Path.of("/usr/local/sbin/sysbox-runc");

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public String summary() {
        return "register sysbox-runc as a Docker runtime (daemon.json) and reload dockerd";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-install docker [flags]

                Adds "runtimes": {"sysbox-runc": {"path": PATH}} to Docker's daemon.json, keeping every
                other key (the file is created if missing), then sends SIGHUP to a running dockerd so
                that `docker run --runtime=sysbox-runc` works without restarting it. Running it again
                changes nothing. With --uninstall, removes the runtime and, if default-runtime is
                sysbox-runc, sets it back to runc (dockerd reloads only keys that are present).

                Flags:
                   --docker-config value   Docker's daemon.json (default: /etc/docker/daemon.json)
                   --docker-pidfile value  dockerd's pidfile, to find the dockerd to reload (default: /var/run/docker.pid)
                   --runtime-path value    the sysbox-runc executable dockerd runs (default: /usr/local/sbin/sysbox-runc)
                   --default               also make sysbox-runc Docker's default runtime ("default-runtime")
                   --uninstall             remove sysbox-runc from daemon.json instead
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Flags flags = Flags.parse(name(), args, Flags.set("docker-config", "docker-pidfile", "runtime-path"),
                Flags.set("default", "uninstall"));
        boolean uninstall = flags.bool("uninstall");
        if (uninstall && (flags.has("runtime-path") || flags.bool("default"))) {
            throw new UsageException(name(), "--uninstall removes the runtime: it takes neither --runtime-path nor --default");
        }
        Path runtimePath = Path.of(flags.value("runtime-path", DEFAULT_RUNTIME_PATH.toString())).toAbsolutePath().normalize();
        DockerDaemonConfig config = new DockerDaemonConfig(Path.of(flags.value("docker-config",
                DockerDaemonConfig.DEFAULT_FILE.toString())));
        ConfigChange change = uninstall
                ? config.unregister(RUNTIME_NAME)
                : config.register(RUNTIME_NAME, runtimePath, flags.bool("default"));
        if (!uninstall && !Files.isExecutable(runtimePath)) {
            err.println("sysbox-install docker: warning: " + runtimePath + " is not an executable file"
                    + " (yet): docker run --runtime=" + RUNTIME_NAME + " fails until it is");
        }
        if (!change.changed()) {
            out.println(change.file() + ": unchanged (" + (uninstall
                    ? "runtime " + RUNTIME_NAME + " is not registered"
                    : "runtime " + RUNTIME_NAME + " already registered with path " + runtimePath
                            + (flags.bool("default") ? ", and the default runtime" : "")) + ")");
            return 0;
        }
        for (String line : change.changes()) out.println(change.file() + ": " + line);
        ReloadOutcome reload = new DockerReload(Path.of(flags.value("docker-pidfile",
                DockerReload.DEFAULT_PIDFILE.toString()))).reload();
        out.println(reload.message());
        return 0;
    }
}
