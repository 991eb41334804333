package io.sysbox.deploy;

import io.fabric8.kubernetes.api.model.Node;
import io.sysbox.install.host.Service;
import io.sysbox.install.host.ServiceControl;

import java.util.ArrayList;
import java.util.List;

/**
 * The fake node's service manager: restarts nothing (no daemon runs in a directory) and records
 * each request with the node's marks at that moment, read from the API server, so a test sees
 * that the runtime restarted while the node was tainted and not yet labelled.
 */
final class ObservedServices implements ServiceControl {
    private final NodeMarks marks;
    private final List<String> events = new ArrayList<>();

    ObservedServices(NodeMarks marks) {
        this.marks = marks;
    }

    @Override
    public String restart(Service service) {
        return observe("restart " + service.unit());
    }

    @Override
    public String stop(Service service) {
        return observe("stop " + service.unit());
    }

    @Override
    public String unitsChanged() {
        return observe("daemon-reload");
    }

    private String observe(String what) {
        Node node = marks.get();
        events.add(what + " (tainted " + marks.isTainted(node) + ", label " + marks.label(node) + ")");
        return "observed: " + what;
    }

    List<String> events() {
        return List.copyOf(events);
    }
}
