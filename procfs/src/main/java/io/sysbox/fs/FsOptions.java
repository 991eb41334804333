package io.sysbox.fs;

import io.sysbox.common.daemon.FlagReader;
import io.sysbox.common.daemon.LogFormat;
import io.sysbox.common.daemon.LogLevel;
import io.sysbox.fs.seccomp.ImmutabilityOptions;

import java.nio.file.Path;
import java.util.Optional;

/** sysbox-fs's command line. */
public record FsOptions(Path runDir, Path mountpoint, Optional<Path> logFile, LogLevel logLevel, LogFormat logFormat,
                        int fuseThreads, ImmutabilityOptions immutability) {

    /** With the default rules for a container's initial mounts. */
    public FsOptions(Path runDir, Path mountpoint, Optional<Path> logFile, LogLevel logLevel, LogFormat logFormat,
                     int fuseThreads) {
        this(runDir, mountpoint, logFile, logLevel, logFormat, fuseThreads, ImmutabilityOptions.defaults());
    }

    public static final String USAGE = """
            Usage: sysbox-fs [OPTIONS]

            The sysbox file system daemon: a FUSE file system that gives each system container its own
            /proc files (uptime, swaps, meminfo), registered over gRPC on RUN_DIR/sysfs.sock. Must run
            as root. It hands its FUSE connection to sysbox-mgr (RUN_DIR/sysmgr-fd.sock) and keeps its
            registrations under RUN_DIR/sysfs/, so that after a crash it serves running containers again.
            It also answers the mount and umount2 calls of system containers that their seccomp filter
            hands it (RUN_DIR/sysfs-seccomp.sock): mount -t proc / -t sysfs give the container's
            emulated view, and the container's initial mounts stay as they started.

            Options:
              --run-dir DIR        socket and pid file (default /run/sysbox)
              --mountpoint DIR     where the FUSE file system is mounted (default /var/lib/sysboxfs)
              --log FILE           log to FILE instead of stderr
              --log-level LEVEL    debug, info, warn or error (default info)
              --log-format FORMAT  text or json (default text)
              --fuse-threads N     threads serving each FUSE connection, 1 to 64 (default 2)
              --allow-immutable-remounts[=BOOL]
                                   let a container make a mount that was read-only at its start
                                   read-write (default false)
              --allow-immutable-unmounts[=BOOL]
                                   let a container unmount its initial mounts other than /, /proc,
                                   /sys and what stands on them (default true)
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
        boolean remounts = o.immutability.allowRemounts(), unmounts = o.immutability.allowUnmounts();
        FlagReader<UsageException> in = new FlagReader<>(args, UsageException::new);
        while (in.hasNext()) {
            String flag = in.nextFlag();
            switch (flag) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "-v", "--version" -> {
                    return new Version();
                }
                case "--run-dir" -> runDir = in.path(flag);
                case "--mountpoint" -> mountpoint = in.path(flag);
                case "--log" -> logFile = Optional.of(in.path(flag));
                case "--log-level" -> level = in.choice(flag, LogLevel.class);
                case "--log-format" -> format = in.choice(flag, LogFormat.class);
                case "--fuse-threads" -> threads = threads(flag, in.value(flag));
                case "--allow-immutable-remounts" -> remounts = in.bool(flag);
                case "--allow-immutable-unmounts" -> unmounts = in.bool(flag);
                default -> throw new UsageException(flag.startsWith("-")
                        ? "unknown flag " + flag : "unexpected argument '" + flag + "' (sysbox-fs takes flags only)");
            }
        }
        return new Run(new FsOptions(runDir, mountpoint, logFile, level, format, threads,
                new ImmutabilityOptions(remounts, unmounts)));
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
}
