package io.sysbox.cri;

import io.sysbox.common.daemon.DaemonMain;
import io.sysbox.common.daemon.StartupException;
import org.apache.logging.log4j.Logger;

/** sysbox-cri: parses flags, checks it is root, configures logging, proxies until SIGTERM/SIGINT. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(DaemonMain.run(args, new SysboxCri()));
    }

    private static final class SysboxCri implements DaemonMain.Program<CriOptions, CriDaemon> {
        @Override
        public String name() {
            return "sysbox-cri";
        }

        @Override
        public DaemonMain.Request<CriOptions> parse(String[] args) {
            try {
                return switch (CriOptions.parse(args)) {
                    case CriOptions.Help help -> new DaemonMain.Print<>(CriOptions.USAGE);
                    case CriOptions.Run run -> new DaemonMain.Serve<>(run.options());
                };
            } catch (CriOptions.UsageException e) {
                return new DaemonMain.Usage<>(e.getMessage());
            }
        }

        @Override
        public String whyRoot(CriOptions options) {
            return "it serves the kubelet on a root-only socket and talks to the root-only sockets of the runtime"
                    + " and sysbox-mgr";
        }

        @Override
        public DaemonMain.LogSetup logging(CriOptions options) {
            return new DaemonMain.LogSetup(options.logFile(), options.logLevel().name(), false);
        }

        @Override
        public CriDaemon start(CriOptions options, Logger log) throws StartupException {
            return CriDaemon.start(options, log);
        }
    }
}
