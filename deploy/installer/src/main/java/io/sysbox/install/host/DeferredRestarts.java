package io.sysbox.install.host;

import java.util.ArrayList;
import java.util.List;

/**
 * Restarts nothing and keeps what was asked, in order: for `--no-restart` (the operator restarts
 * later) and for a host root that is not a live host, where no service runs.
 */
public final class DeferredRestarts implements ServiceControl {
    private final List<String> requests = new ArrayList<>();

    @Override
    public String restart(Service service) {
        return request("restart " + service.unit());
    }

    @Override
    public String stop(Service service) {
        return request("stop " + service.unit());
    }

    @Override
    public String unitsChanged() {
        return request("daemon-reload");
    }

    private String request(String what) {
        requests.add(what);
        return "not done (--no-restart): " + what;
    }

    /** What was asked, e.g. "restart containerd.service", in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }
}
