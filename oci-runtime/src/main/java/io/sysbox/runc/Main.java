package io.sysbox.runc;

import io.sysbox.runc.cli.SysboxRunc;

/** sysbox-runc: the OCI runtime CLI of system containers. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = new SysboxRunc(System.out, System.err).run(args, System.getenv());
        System.out.flush();
        System.err.flush();
        // halt, not exit: the CLI has no shutdown hooks to run (log4j flushes every line), and
        // System.exit would first set up the JDK's Runtime.exit event logging.
        Runtime.getRuntime().halt(status);
    }
}
