package io.sysbox.install.host;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in the host's namespaces: directly when the installer runs on the host, through
 * {@code nsenter -t 1} when it runs in a pod (the DaemonSet's, with hostPID and privileged),
 * where the host's systemctl, its D-Bus socket and its files are only in init's mount namespace.
 */
public record HostCommand(List<String> prefix) {
    private static final List<String> NSENTER = List.of("nsenter", "-t", "1", "-m", "-u", "-i", "-n", "-p", "--");

    public HostCommand {
        prefix = List.copyOf(prefix);
    }

    public static HostCommand forRoot(HostRoot host) {
        return new HostCommand(host.isOwnRoot() ? List.of() : NSENTER);
    }

    /** What a command said and how it ended. */
    public record Result(int status, String output) {
        public boolean succeeded() {
            return status == 0;
        }
    }

    public Result run(List<String> command, Duration timeout) throws IOException {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }
}
