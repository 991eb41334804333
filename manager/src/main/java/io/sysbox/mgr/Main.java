package io.sysbox.mgr;

import io.sysbox.common.daemon.DaemonLogging;

import io.sysbox.common.sys.Ownership;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import sun.misc.Signal;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/** sysbox-mgr: parses flags, checks it is root, configures logging, runs the daemon until SIGTERM/SIGINT. */
public final class Main {
    /** The daemon's own logger; everything else is a library. */
    static final String LOGGER = "sysbox-mgr";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        ManagerOptions.Parsed parsed;
        try {
            parsed = ManagerOptions.parse(args);
        } catch (UsageException e) {
            System.err.println("sysbox-mgr: " + e.getMessage());
            System.err.println("Run 'sysbox-mgr --help' for usage.");
            return 2;
        }
        ManagerOptions options = switch (parsed) {
            case ManagerOptions.Help help -> null;
            case ManagerOptions.Run run -> run.options();
        };
        if (options == null) {
            System.out.print(ManagerOptions.USAGE);
            return 0;
        }
        int euid = Ownership.geteuid();
        if (euid != 0) {
            System.err.println("sysbox-mgr: must run as root (effective uid is " + euid + "): it creates user"
                    + " namespaces and idmapped mounts and edits " + options.subuidFile() + "; try sudo");
            return 1;
        }
        LoggerContext logging;
        try {
            logging = DaemonLogging.configure(LOGGER, options.logFile(), options.logLevel().name(),
                    options.logFormat() == ManagerOptions.LogFormat.JSON);
        } catch (IOException | RuntimeException e) {
            System.err.println("sysbox-mgr: cannot open the log " + options.logFile().map(Object::toString).orElse("")
                    + ": " + e.getMessage());
            return 1;
        }
        Logger log = logging.getLogger(LOGGER);
        CountDownLatch stop = new CountDownLatch(1);
        String[] received = new String[1];
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                received[0] = "SIG" + signal.getName();
                stop.countDown();
            });
        }
        try (ManagerDaemon daemon = ManagerDaemon.start(options, log)) {
            stop.await();
            log.info("sysbox-mgr stopping on {}", received[0]);
        } catch (StartupException e) {
            log.error(e.getMessage());
            if (options.logFile().isPresent()) System.err.println("sysbox-mgr: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LogManager.shutdown(logging);
        }
        return 0;
    }
}
