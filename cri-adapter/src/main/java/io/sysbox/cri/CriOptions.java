package io.sysbox.cri;

import io.sysbox.common.daemon.FlagReader;
import io.sysbox.common.daemon.LogLevel;

import java.nio.file.Path;
import java.util.Optional;

/** sysbox-cri's command line. */
public record CriOptions(Path runDir, Optional<Path> socket, String upstream, Optional<Path> logFile, LogLevel logLevel) {

    public static final String USAGE = """
            Usage: sysbox-cri [OPTIONS]

            CRI v1 proxy between the kubelet and containerd or CRI-O: pods of the runtime handler
            sysbox-runc get an id range from sysbox-mgr and private namespaces; everything else
            passes through unchanged. Point the kubelet's --container-runtime-endpoint at --socket.

            Options:
              --upstream ENDPOINT   the real runtime's CRI socket (default unix:///run/containerd/containerd.sock;
                                    CRI-O: unix:///var/run/crio/crio.sock)
              --socket FILE         where sysbox-cri serves (default RUN_DIR/sysbox-cri.sock)
              --run-dir DIR         the sysbox daemons' run dir: sysmgr.sock, sysfs.sock (default /run/sysbox)
              --log FILE            log to FILE instead of stderr
              --log-level LEVEL     debug, info, warn or error (default info)
              -h, --help            show this help
            """;

    public Path socketPath() {
        return socket.orElse(runDir.resolve("sysbox-cri.sock"));
    }

    /** The upstream as a socket path (unix:// endpoints or plain paths). */
    public Path upstreamPath() {
        return Path.of(upstream.startsWith("unix://") ? upstream.substring("unix://".length()) : upstream);
    }

    public sealed interface Parsed permits Run, Help {}

    public record Run(CriOptions options) implements Parsed {}

    public record Help() implements Parsed {}

    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public static Parsed parse(String... args) throws UsageException {
        Path runDir = Path.of("/run/sysbox");
        Optional<Path> socket = Optional.empty();
        String upstream = "unix:///run/containerd/containerd.sock";
        Optional<Path> log = Optional.empty();
        LogLevel level = LogLevel.INFO;
        FlagReader<UsageException> in = new FlagReader<>(args, UsageException::new);
        while (in.hasNext()) {
            String flag = in.nextFlag();
            switch (flag) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "--run-dir" -> runDir = in.path(flag);
                case "--socket" -> socket = Optional.of(in.path(flag));
                case "--upstream" -> upstream = in.value(flag);
                case "--log" -> log = Optional.of(in.path(flag));
                case "--log-level" -> level = in.choice(flag, LogLevel.class);
                default -> throw new UsageException(flag.startsWith("-")
                        ? "unknown flag " + flag : "unexpected argument '" + flag + "' (sysbox-cri takes flags only)");
            }
        }
        if (!upstream.startsWith("unix://") && !upstream.startsWith("/")) {
            throw new UsageException("--upstream '" + upstream + "' must be a unix:// endpoint or a socket path");
        }
        return new Run(new CriOptions(runDir, socket, upstream, log, level));
    }
}
