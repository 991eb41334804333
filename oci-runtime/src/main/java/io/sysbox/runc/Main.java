package io.sysbox.runc;

import io.sysbox.runc.cli.Caller;
import io.sysbox.runc.cli.SysboxRunc;

/**
 * The Java CLI as its own process: what the compiled launcher (bin/sysbox-runc) execs for the calls
 * that need no manager (spec, features, help, --version, --no-sysbox-mgr) or when the
 * manager is not running.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = new SysboxRunc(System.out, System.err).run(args, Caller.thisJvm());
        System.out.flush();
        System.err.flush();
        // halt, not exit: the CLI has no shutdown hooks to run (its log is written line by line).
        Runtime.getRuntime().halt(status);
    }
}
