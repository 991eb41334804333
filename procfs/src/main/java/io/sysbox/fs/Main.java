package io.sysbox.fs;

import io.sysbox.common.daemon.DaemonMain;
import io.sysbox.common.daemon.StartupException;
import org.apache.logging.log4j.Logger;

/** sysbox-fs: parses flags, checks it is root, configures logging, serves until SIGTERM/SIGINT. */
public final class Main {
    /** The daemon's own logger; everything else is a library. */
    static final String LOGGER = "sysbox-fs";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return DaemonMain.run(args, new SysboxFs());
    }

    private static final class SysboxFs implements DaemonMain.Program<FsOptions, FsDaemon> {
        @Override
        public String name() {
            return LOGGER;
        }

        @Override
        public DaemonMain.Request<FsOptions> parse(String[] args) {
            try {
                return switch (FsOptions.parse(args)) {
                    case FsOptions.Help help -> new DaemonMain.Print<>(FsOptions.USAGE);
                    case FsOptions.Version version -> new DaemonMain.Print<>(FsOptions.VERSION + "\n");
                    case FsOptions.Run run -> new DaemonMain.Serve<>(run.options());
                };
            } catch (UsageException e) {
                return new DaemonMain.Usage<>(e.getMessage());
            }
        }

        @Override
        public String whyRoot(FsOptions options) {
            return "it mounts a FUSE file system and reads every container's cgroups";
        }

        @Override
        public DaemonMain.LogSetup logging(FsOptions options) {
            return new DaemonMain.LogSetup(options.logFile(), options.logLevel().name(),
                    options.logFormat() == io.sysbox.common.daemon.LogFormat.JSON);
        }

        @Override
        public FsDaemon start(FsOptions options, Logger log) throws StartupException {
            return FsDaemon.start(options, log);
        }

        @Override
        public void stopped(FsOptions options, Logger log) {
            log.info("sysbox-fs stopped; {} unmounted", options.mountpoint());
        }
    }
}
