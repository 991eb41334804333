package io.sysbox.conformance;

/**
 * The --log-level the harness gives the daemons it starts: {@code debug} for the suites (a failure's
 * log tail says the most), {@code info} (the operator's default) for the benchmarks, whose scripts set
 * the system property {@code sysbox.daemon.log-level}: debug lines on every FUSE request and call are
 * not what a node pays.
 */
public final class DaemonLogLevel {
    public static final String PROPERTY = "sysbox.daemon.log-level";

    private DaemonLogLevel() {
    }

    public static String current() {
        return System.getProperty(PROPERTY, "debug");
    }
}
