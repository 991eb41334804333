package io.sysbox.common.daemon;

import io.sysbox.common.sys.Ownership;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A daemon's main: parses its flags, checks it is root, configures logging, starts it and serves
 * until SIGTERM/SIGINT. Exit status 2 for a bad command line, 1 when it cannot start, 0 otherwise.
 */
public final class DaemonMain {
    private DaemonMain() {}

    /** What the command line asked for. */
    public sealed interface Request<O> permits Serve, Print, Usage {}

    /** Start the daemon with these options. */
    public record Serve<O>(O options) implements Request<O> {}

    /** Print {@code text} (help, version) to stdout and exit 0. */
    public record Print<O>(String text) implements Request<O> {}

    /** A command line the daemon does not understand: {@code problem} says why. */
    public record Usage<O>(String problem) implements Request<O> {}

    /** Where and how the daemon logs: {@code level} is DEBUG, INFO, WARN or ERROR. */
    public record LogSetup(Optional<Path> file, String level, boolean json) {}

    /** One daemon, as its main sees it. */
    public interface Program<O, D extends AutoCloseable> {
        /** The daemon's command and logger name ("sysbox-fs"). */
        String name();

        Request<O> parse(String[] args);

        /** Why it needs root, for the refusal when it is not ("it mounts a FUSE file system"). */
        String whyRoot(O options);

        LogSetup logging(O options);

        /** Starts the daemon; any exception means it did not start, its message says why. */
        D start(O options, Logger log) throws Exception;

        /** Called after the daemon is closed on a signal, while logging still works. */
        default void stopped(O options, Logger log) {}
    }

    public static <O, D extends AutoCloseable> int run(String[] args, Program<O, D> program) {
        String name = program.name();
        O options;
        switch (program.parse(args)) {
            case Usage<O>(String problem) -> {
                System.err.println(name + ": " + problem);
                System.err.println("Run '" + name + " --help' for usage.");
                return 2;
            }
            case Print<O>(String text) -> {
                System.out.print(text);
                return 0;
            }
            case Serve<O>(O serve) -> options = serve;
        }
        int euid = Ownership.geteuid();
        if (euid != 0) {
            System.err.println(name + ": must run as root (effective uid is " + euid + "): "
                    + program.whyRoot(options) + "; try sudo");
            return 1;
        }
        LogSetup setup = program.logging(options);
        LoggerContext logging;
        try {
            logging = DaemonLogging.configure(name, setup.file(), setup.level(), setup.json());
        } catch (IOException | RuntimeException e) {
            System.err.println(name + ": cannot open the log " + setup.file().map(Object::toString).orElse("")
                    + ": " + e.getMessage());
            return 1;
        }
        Logger log = logging.getLogger(name);
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<String> received = new AtomicReference<>();
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                received.set("SIG" + s.getName());
                stop.countDown();
            });
        }
        D daemon;
        try {
            daemon = program.start(options, log);
        } catch (Exception e) {
            log.error(e.getMessage());
            if (setup.file().isPresent()) System.err.println(name + ": " + e.getMessage());
            LogManager.shutdown(logging);
            return 1;
        }
        try {
            stop.await();
            log.info("{} stopping on {}", name, received.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                daemon.close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
            program.stopped(options, log);
            LogManager.shutdown(logging);
        }
        return 0;
    }
}
