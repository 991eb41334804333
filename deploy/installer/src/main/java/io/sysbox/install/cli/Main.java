package io.sysbox.install.cli;

import java.nio.file.Path;

/** bin/sysbox-install: the JVM's entry point (a one-shot admin tool). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = new SysboxInstall(System.out, System.err, new SysboxInstall.Defaults(distFromLauncher())).run(args);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** dist/ is the parent of the libexec/ the launcher names (-Dsysbox.libexec=DIST/lib/../libexec). */
    static Path distFromLauncher() {
        String libexec = System.getProperty("sysbox.libexec");
        return libexec == null ? Path.of("dist").toAbsolutePath() : Path.of(libexec).toAbsolutePath().normalize().getParent();
    }
}
