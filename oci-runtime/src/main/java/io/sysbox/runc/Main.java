package io.sysbox.runc;

import io.sysbox.runc.cli.SysboxRunc;

/** sysbox-runc: the OCI runtime CLI of system containers. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(new SysboxRunc(System.out, System.err).run(args, System.getenv()));
    }
}
