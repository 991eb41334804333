package io.sysbox.mgr;

import io.sysbox.common.daemon.DaemonMain;
import io.sysbox.common.daemon.StartupException;
import org.apache.logging.log4j.Logger;

/** sysbox-mgr: parses flags, checks it is root, configures logging, runs the daemon until SIGTERM/SIGINT. */
public final class Main {
    /** The daemon's own logger; everything else is a library. */
    static final String LOGGER = "sysbox-mgr";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return DaemonMain.run(args, new SysboxMgr());
    }

    private static final class SysboxMgr implements DaemonMain.Program<ManagerOptions, ManagerDaemon> {
        @Override
        public String name() {
            return LOGGER;
        }

        @Override
        public DaemonMain.Request<ManagerOptions> parse(String[] args) {
            try {
                return switch (ManagerOptions.parse(args)) {
                    case ManagerOptions.Help help -> new DaemonMain.Print<>(ManagerOptions.USAGE);
                    case ManagerOptions.Run run -> new DaemonMain.Serve<>(run.options());
                };
            } catch (UsageException e) {
                return new DaemonMain.Usage<>(e.getMessage());
            }
        }

        @Override
        public String whyRoot(ManagerOptions options) {
            return "it creates user namespaces and idmapped mounts and edits " + options.subuidFile();
        }

        @Override
        public DaemonMain.LogSetup logging(ManagerOptions options) {
            return new DaemonMain.LogSetup(options.logFile(), options.logLevel().name(),
                    options.logFormat() == io.sysbox.common.daemon.LogFormat.JSON);
        }

        @Override
        public ManagerDaemon start(ManagerOptions options, Logger log) throws StartupException {
            return ManagerDaemon.start(options, log);
        }
    }
}
