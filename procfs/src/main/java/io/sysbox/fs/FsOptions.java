package io.sysbox.fs;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** sysbox-fs's command line. */
public record FsOptions(Path runDir, Path mountpoint, Optional<Path> logFile, LogLevel logLevel, LogFormat logFormat,
                        int fuseThreads) {

    public enum LogLevel { DEBUG, INFO, WARN, ERROR }

    public enum LogFormat { TEXT, JSON }

    public static final String USAGE = """
            Usage: sysbox-fs [OPTIONS]

            The sysbox file system daemon: a FUSE file system that gives each system container its own
            /proc files (uptime, swaps, meminfo), registered over gRPC on RUN_DIR/sysfs.sock. Must run
            as root.

            Options:
              --run-dir DIR        socket and pid file (default /run/sysbox)
              --mountpoint DIR     where the FUSE file system is mounted (default /var/lib/sysboxfs)
              --log FILE           log to FILE instead of stderr
              --log-level LEVEL    debug, info, warn or error (default info)
              --log-format FORMAT  text or json (default text)
              --fuse-threads N     threads serving FUSE requests, 1 to 64 (default 4)
              -v, --version        print the version
              -h, --help           show this help
            """;

    public static final String VERSION = "sysbox-fs version 0.1.0";

    public static FsOptions defaults() {
        return new FsOptions(Path.of("/run/sysbox"), Path.of("/var/lib/sysboxfs"), Optional.empty(), LogLevel.INFO,
                LogFormat.TEXT, SysboxFsMount.DEFAULT_THREADS);
    }

    /** The result of parsing: start the daemon, show the help, or print the version. */
    public sealed interface Parsed permits Run, Help, Version {}

    public record Run(FsOptions options) implements Parsed {}

    public record Help() implements Parsed {}

    public record Version() implements Parsed {}

    public static Parsed parse(String... args) throws UsageException {
        FsOptions o = defaults();
        Path runDir = o.runDir, mountpoint = o.mountpoint;
        Optional<Path> logFile = o.logFile;
        LogLevel level = o.logLevel;
        LogFormat format = o.logFormat;
        int threads = o.fuseThreads;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (flag.equals("-h") || flag.equals("--help")) return new Help();
            if (flag.equals("-v") || flag.equals("--version")) return new Version();
            if (!flag.startsWith("-")) {
                throw new UsageException("unexpected argument '" + arg + "' (sysbox-fs takes flags only)");
            }
            if (!VALUED.contains(flag)) throw new UsageException("unknown flag " + flag);
            String value = inline;
            if (value == null) {
                if (i + 1 >= args.length) throw new UsageException(flag + " needs a value");
                value = args[++i];
            }
            switch (flag) {
                case "--run-dir" -> runDir = path(flag, value);
                case "--mountpoint" -> mountpoint = path(flag, value);
                case "--log" -> logFile = Optional.of(path(flag, value));
                case "--log-level" -> level = choice(flag, value, LogLevel.class);
                case "--log-format" -> format = choice(flag, value, LogFormat.class);
                case "--fuse-threads" -> threads = threads(flag, value);
                default -> throw new IllegalStateException(flag);
            }
        }
        return new Run(new FsOptions(runDir, mountpoint, logFile, level, format, threads));
    }

    private static final java.util.Set<String> VALUED =
            java.util.Set.of("--run-dir", "--mountpoint", "--log", "--log-level", "--log-format", "--fuse-threads");

    private static Path path(String flag, String value) throws UsageException {
        if (value.isEmpty()) throw new UsageException(flag + " needs a non-empty path");
        return Path.of(value);
    }

    private static int threads(String flag, String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 64) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + " '" + value + "' is not a number from 1 to 64");
    }

    private static <E extends Enum<E>> E choice(String flag, String value, Class<E> type) throws UsageException {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                if (!allowed.isEmpty()) allowed.append(", ");
                allowed.append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new UsageException(flag + " '" + value + "' is not one of " + allowed);
        }
    }
}
