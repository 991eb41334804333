package io.sysbox.common.daemon;

import java.io.IOException;

/** A daemon cannot start; the message says why and what to do (exit status 1). */
public final class StartupException extends Exception {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** One daemon's start-up, given the daemon to start. */
    @FunctionalInterface
    public interface Steps<D> {
        void run(D daemon) throws IOException, StartupException;
    }

    /**
     * Runs {@code steps} on {@code daemon} and returns it; if they fail, closes it (releasing what
     * they had started) and throws, an unexpected failure wrapped as "{@code name} cannot start: ...".
     */
    public static <D extends AutoCloseable> D startOrClose(String name, D daemon, Steps<D> steps)
            throws StartupException {
        try {
            steps.run(daemon);
            return daemon;
        } catch (StartupException e) {
            closeQuietly(daemon, e);
            throw e;
        } catch (IOException | RuntimeException e) {
            StartupException failure = new StartupException(name + " cannot start: " + e.getMessage(), e);
            closeQuietly(daemon, failure);
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable daemon, StartupException failure) {
        try {
            daemon.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
