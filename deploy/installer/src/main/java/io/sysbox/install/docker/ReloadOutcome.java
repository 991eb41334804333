package io.sysbox.install.docker;

import java.nio.file.Path;

/** What telling dockerd to reload came to; each says it in a line for the operator. */
public sealed interface ReloadOutcome {
    String message();

    /** dockerd was sent SIGHUP: it re-reads daemon.json, including runtimes and default-runtime. */
    record Signalled(long pid, Path pidFile) implements ReloadOutcome {
        @Override
        public String message() {
            return "dockerd (pid " + pid + ") sent SIGHUP: it reloads its configuration";
        }
    }

    /** No dockerd to tell: it reads daemon.json when it starts. */
    record NotRunning(Path pidFile, String why) implements ReloadOutcome {
        @Override
        public String message() {
            return "dockerd is not running (" + why + "): it reads the configuration when it starts";
        }
    }

    /** The pidfile names a live process that is not dockerd (a stale pidfile, the pid reused): left alone. */
    record NotDockerd(long pid, String comm, Path pidFile) implements ReloadOutcome {
        @Override
        public String message() {
            return "pid " + pid + " in " + pidFile + " is \"" + comm + "\", not dockerd: not signalled (stale"
                    + " pidfile?); if dockerd runs with another pidfile, pass it with --docker-pidfile";
        }
    }
}
