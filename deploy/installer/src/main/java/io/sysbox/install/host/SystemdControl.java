package io.sysbox.install.host;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The host's systemd, through systemctl in the host's namespaces. */
public record SystemdControl(HostCommand command) implements ServiceControl {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String restart(Service service) throws IOException {
        return systemctl("restart", service.unit());
    }

    @Override
    public String stop(Service service) throws IOException {
        return systemctl("stop", service.unit());
    }

    @Override
    public String unitsChanged() throws IOException {
        return systemctl("daemon-reload");
    }

    private String systemctl(String... args) throws IOException {
        List<String> argv = new java.util.ArrayList<>(List.of("systemctl"));
        argv.addAll(List.of(args));
        HostCommand.Result r = command.run(argv, TIMEOUT);
        if (!r.succeeded()) {
            throw new IOException(String.join(" ", argv) + " failed (exit " + r.status() + ")"
                    + (r.output().isEmpty() ? "" : ": " + r.output()) + "; see `journalctl -u " + args[args.length - 1] + "`");
        }
        return String.join(" ", argv) + ": done";
    }
}
