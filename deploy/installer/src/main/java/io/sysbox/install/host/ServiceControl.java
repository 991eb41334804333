package io.sysbox.install.host;

import java.io.IOException;

/**
 * Restarts and stops the host's daemons after the installer changed their files. Each call
 * answers with a line for the operator saying what happened (or what they must do).
 */
public interface ServiceControl {
    String restart(Service service) throws IOException;

    String stop(Service service) throws IOException;

    /** Unit files were added, changed or removed: the service manager must read them again. */
    String unitsChanged() throws IOException;

    /** systemd when it runs the host, else plain restarts by pid file. */
    static ServiceControl forHost(HostRoot host) {
        HostCommand command = HostCommand.forRoot(host);
        return host.hasSystemd() ? new SystemdControl(command) : new PidFileControl(host, command);
    }
}
