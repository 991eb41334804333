package io.sysbox.mgr;

import io.sysbox.common.daemon.FlagReader;
import io.sysbox.common.daemon.LogFormat;
import io.sysbox.common.daemon.LogLevel;

import java.nio.file.Path;
import java.util.Optional;

/** sysbox-mgr's command line. */
public record ManagerOptions(Path runDir, Path dataRoot, Optional<Path> logFile, LogLevel logLevel, LogFormat logFormat,
                             boolean honorCaps, boolean syscontMode, boolean allowTrustedXattr,
                             boolean ignoreSysfsChown, boolean relaxedReadOnly, boolean disableInnerImagePreload,
                             long subidRangeSize, long subidPoolSize, Path subuidFile, Path subgidFile,
                             Optional<Path> libexecDir) {



    public static final long DEFAULT_RANGE_SIZE = 65536;
    public static final long DEFAULT_POOL_SIZE = 65536L * 4096;

    public static final String USAGE = """
            Usage: sysbox-mgr [OPTIONS]

            The sysbox manager daemon: allocates exclusive uid/gid ranges to system containers and
            prepares their ID-shifted (idmapped) rootfs and bind mounts. Must run as root.

            Options:
              --run-dir DIR                 sockets and pid file (default /run/sysbox)
              --data-root DIR               container state and mounts (default /var/lib/sysbox)
              --log FILE                    log to FILE instead of stderr
              --log-level LEVEL             debug, info, warn or error (default info)
              --log-format FORMAT           text or json (default text)
              --honor-caps                  keep the spec's capabilities (default: all caps for root)
              --syscont-mode BOOL           run containers as system containers (default true)
              --allow-trusted-xattr         let containers use trusted.overlay.* xattrs
              --ignore-sysfs-chown          make chown of /sys succeed without effect
              --relaxed-read-only           keep /sys and the special dirs writable in read-only containers
              --disable-inner-image-preload do not copy inner images into the special dirs
              --subid-range-size N          ids per container (default 65536)
              --subid-pool-size N           size of the sysbox entry created in /etc/subuid and
                                            /etc/subgid (default 268435456: 4096 containers)
              --subuid-file FILE            default /etc/subuid
              --subgid-file FILE            default /etc/subgid
              --libexec-dir DIR             the helpers sysbox-runc's setup puts in specs (hooks,
                                            sysbox-netns-exec); default: the libexec/ beside the
                                            manager's lib/ (-Dsysbox.libexec, set by its launcher)
              -h, --help                    show this help
            Boolean flags accept --flag, --flag=BOOL and --flag BOOL (BOOL is true or false).
            """;

    public static ManagerOptions defaults() {
        return new ManagerOptions(Path.of("/run/sysbox"), Path.of("/var/lib/sysbox"), Optional.empty(), LogLevel.INFO,
                LogFormat.TEXT, false, true, false, false, false, false, DEFAULT_RANGE_SIZE, DEFAULT_POOL_SIZE,
                Path.of("/etc/subuid"), Path.of("/etc/subgid"), Optional.empty());
    }

    /** The result of parsing: start the daemon, or show the help. */
    public sealed interface Parsed permits Run, Help {}

    public record Run(ManagerOptions options) implements Parsed {}

    public record Help() implements Parsed {}

    public static Parsed parse(String... args) throws UsageException {
        ManagerOptions o = defaults();
        Path runDir = o.runDir, dataRoot = o.dataRoot, subuid = o.subuidFile, subgid = o.subgidFile;
        Optional<Path> logFile = o.logFile, libexecDir = o.libexecDir;
        LogLevel level = o.logLevel;
        LogFormat format = o.logFormat;
        boolean honorCaps = o.honorCaps, syscontMode = o.syscontMode, trustedXattr = o.allowTrustedXattr,
                ignoreSysfsChown = o.ignoreSysfsChown, relaxedReadOnly = o.relaxedReadOnly,
                disablePreload = o.disableInnerImagePreload;
        long rangeSize = o.subidRangeSize, poolSize = o.subidPoolSize;
        FlagReader<UsageException> in = new FlagReader<>(args, UsageException::new);
        while (in.hasNext()) {
            String flag = in.nextFlag();
            switch (flag) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "--run-dir" -> runDir = in.path(flag);
                case "--data-root" -> dataRoot = in.path(flag);
                case "--log" -> logFile = Optional.of(in.path(flag));
                case "--log-level" -> level = in.choice(flag, LogLevel.class);
                case "--log-format" -> format = in.choice(flag, LogFormat.class);
                case "--honor-caps" -> honorCaps = in.bool(flag);
                case "--syscont-mode" -> syscontMode = in.bool(flag);
                case "--allow-trusted-xattr" -> trustedXattr = in.bool(flag);
                case "--ignore-sysfs-chown" -> ignoreSysfsChown = in.bool(flag);
                case "--relaxed-read-only" -> relaxedReadOnly = in.bool(flag);
                case "--disable-inner-image-preload" -> disablePreload = in.bool(flag);
                case "--subid-range-size" -> rangeSize = size(flag, in.value(flag), 65536);
                case "--subid-pool-size" -> poolSize = size(flag, in.value(flag), 65536);
                case "--subuid-file" -> subuid = in.path(flag);
                case "--subgid-file" -> subgid = in.path(flag);
                case "--libexec-dir" -> libexecDir = Optional.of(in.path(flag));
                default -> throw new UsageException(flag.startsWith("-")
                        ? "unknown flag " + flag : "unexpected argument '" + flag + "' (sysbox-mgr takes flags only)");
            }
        }
        if (poolSize < rangeSize) {
            throw new UsageException("--subid-pool-size " + poolSize + " is smaller than --subid-range-size "
                    + rangeSize + ": the pool must hold at least one container's range");
        }
        return new Run(new ManagerOptions(runDir, dataRoot, logFile, level, format, honorCaps, syscontMode,
                trustedXattr, ignoreSysfsChown, relaxedReadOnly, disablePreload, rangeSize, poolSize, subuid, subgid,
                libexecDir));
    }

    /** An id count: a multiple of 65536 (whole ranges of 16-bit ids) from {@code minimum} to 0xFFFF0000. */
    private static long size(String flag, String value, long minimum) throws UsageException {
        long size;
        try {
            size = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " '" + value + "' is not a number");
        }
        if (size < minimum || size % 65536 != 0 || size > 0xFFFF_0000L) {
            throw new UsageException(flag + " " + size + " must be a multiple of 65536 between " + minimum
                    + " and " + 0xFFFF_0000L);
        }
        return size;
    }
}
