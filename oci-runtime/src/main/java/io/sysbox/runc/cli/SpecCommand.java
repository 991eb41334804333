package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;
import io.sysbox.common.cli.UsageException;

import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.SpecTemplate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** spec: writes a system container's config.json. */
public final class SpecCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("spec").value("bundle", "b").value("rootless").value("id-map");

    @Override
    public String name() {
        return "spec";
    }

    @Override
    public String summary() {
        return "create a new system container specification file";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc spec [command options]

                Writes config.json for a system container: hostname "syscont", a terminal, rootfs
                "rootfs", private pid/net/ipc/uts/mount/cgroup namespaces. The user namespace and its
                exclusive id range are added by sysbox-runc when the container is created.

                Options:
                   --bundle value, -b value  directory to write config.json into (default: the current directory)
                   --id-map "UID GID SIZE"    map container ids 0..SIZE-1 to host uids UID.. and gids GID..
                                             instead of a range allocated by sysbox-mgr
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        FlagSet.Parsed p = parse(FLAGS, args, 0);
        Path config = Path.of(p.value("bundle", ".")).resolve("config.json");
        if (Files.exists(config)) {
            throw new UsageException(name(), "File " + config + " exists. Remove it first.");
        }
        Optional<String> idMap = Optional.ofNullable(p.value("id-map", null));
        new Spec(SpecTemplate.systemContainer(idMap.isPresent()
                ? Optional.of(SpecTemplate.parseIdMap(idMap.get())) : Optional.empty()))
                .write(config);
        return 0;
    }
}
