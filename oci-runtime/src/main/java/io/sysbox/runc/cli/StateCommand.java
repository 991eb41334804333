package io.sysbox.runc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.runc.engine.EngineProcess;
import io.sysbox.setup.state.ContainerRecord;

import java.util.List;
import java.util.Optional;

/** state: the engine's OCI state, with the bundle and rootfs the caller gave (not our converted copy). */
public final class StateCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("state");

    @Override
    public String name() {
        return "state";
    }

    @Override
    public String summary() {
        return "output the state of a container";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc state <container-id>

                Prints the container's OCI state as JSON (ociVersion, id, pid, status, bundle, ...).
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        FlagSet.Parsed p = parse(FLAGS, args, 1);
        String id = p.positional().getFirst();
        EngineProcess.Captured state = invocation.engine().capture("state", List.of(id));
        if (state.exitCode() != 0) return state.exitCode();
        Optional<ContainerRecord> record = ContainerRecord.read(invocation.options().containerDir(id));
        JsonNode json = Spec.JSON.readTree(state.stdout());
        if (record.isPresent() && json instanceof ObjectNode object) {
            record.get().toCallerState(object);
        }
        invocation.out().println(Spec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        return 0;
    }
}
