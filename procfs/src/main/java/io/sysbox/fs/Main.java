package io.sysbox.fs;

import io.sysbox.common.daemon.DaemonLogging;

import io.sysbox.common.sys.Ownership;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import sun.misc.Signal;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/** sysbox-fs: parses flags, checks it is root, configures logging, serves until SIGTERM/SIGINT. */
public final class Main {
    /** The daemon's own logger; everything else is a library. */
    static final String LOGGER = "sysbox-fs";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        FsOptions.Parsed parsed;
        try {
            parsed = FsOptions.parse(args);
        } catch (UsageException e) {
            System.err.println("sysbox-fs: " + e.getMessage());
            System.err.println("Run 'sysbox-fs --help' for usage.");
            return 2;
        }
        FsOptions options;
        switch (parsed) {
            case FsOptions.Help help -> {
                System.out.print(FsOptions.USAGE);
                return 0;
            }
            case FsOptions.Version version -> {
                System.out.println(FsOptions.VERSION);
                return 0;
            }
            case FsOptions.Run run -> options = run.options();
        }
        int euid = Ownership.geteuid();
        if (euid != 0) {
            System.err.println("sysbox-fs: must run as root (effective uid is " + euid + "): it mounts a FUSE file"
                    + " system and reads every container's cgroups; try sudo");
            return 1;
        }
        LoggerContext logging;
        try {
            logging = DaemonLogging.configure(LOGGER, options.logFile(), options.logLevel().name(),
                    options.logFormat() == FsOptions.LogFormat.JSON);
        } catch (IOException | RuntimeException e) {
            System.err.println("sysbox-fs: cannot open the log " + options.logFile().map(Object::toString).orElse("")
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
        FsDaemon daemon;
        try {
            daemon = FsDaemon.start(options, log);
        } catch (StartupException e) {
            log.error(e.getMessage());
            if (options.logFile().isPresent()) System.err.println("sysbox-fs: " + e.getMessage());
            LogManager.shutdown(logging);
            return 1;
        }
        try {
            stop.await();
            log.info("sysbox-fs stopping on {}", received[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            daemon.close();
            log.info("sysbox-fs stopped; {} unmounted", options.mountpoint());
            LogManager.shutdown(logging);
        }
        return 0;
    }
}
