package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;

import io.sysbox.runc.engine.LowLevelRuntime;
import io.sysbox.setup.state.EnteredNetwork;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** create: prepare the system container, then become `runc create` on the converted bundle. */
public final class CreateCommand implements Command {
    static final FlagSet FLAGS = flags("create");

    /** The flags runc's create and run share. */
    static FlagSet flags(String command) {
        return new FlagSet(command).value("bundle", "b").value("console-socket").value("pid-file")
                .bool("no-pivot").bool("no-new-keyring").value("preserve-fds");
    }

    @Override
    public String name() {
        return "create";
    }

    @Override
    public String summary() {
        return "create a system container";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc create [command options] <container-id>

                Creates a system container from the bundle (config.json and rootfs) without starting
                its process. The manager allocates an exclusive id range, the rootfs and bind mounts are
                ID-shifted, /proc, /sys and the cgroup are set up for system software.

                Options:
                   --bundle value, -b value  path to the bundle directory (default: the current directory)
                   --console-socket value    AF_UNIX socket that receives the master end of the console pty
                   --pid-file value          file to write the container's init pid to
                   --no-pivot                do not use pivot_root to jail the process in its rootfs
                   --no-new-keyring          do not create a new session keyring
                   --preserve-fds value      number of extra fds to pass to the container (default: 0)
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        return becomeEngine(this, FLAGS, invocation, args, List.of());
    }

    /** create and run alike: the converted bundle, then the engine's command of the same name. */
    static int becomeEngine(Command command, FlagSet flags, Invocation invocation, List<String> args,
                            List<String> extraBooleans) throws Exception {
        FlagSet.Parsed p = command.parse(flags, args, 1);
        String id = p.positional().getFirst();
        Path privateBundle = ContainerBundle.prepare(invocation, id, invocation.caller().cwd().resolve(p.value("bundle", ".")));
        LowLevelRuntime engine = invocation.engine();
        Optional<String> netns = EnteredNetwork.of(privateBundle);
        if (netns.isPresent()) engine = engine.enteringNetwork(netns.get(), invocation.caller().libexec());
        engine.become(command.name(), engineArgs(p, privateBundle, id, extraBooleans));
        return 1;
    }

    /** The engine's create/run arguments: our bundle, the caller's other flags. */
    private static List<String> engineArgs(FlagSet.Parsed p, Path privateBundle, String id, List<String> booleans) {
        List<String> a = new ArrayList<>(List.of("--bundle", privateBundle.toString()));
        for (String valued : List.of("console-socket", "pid-file", "preserve-fds")) {
            if (p.has(valued)) {
                a.add("--" + valued);
                a.add(p.value(valued, ""));
            }
        }
        for (String flag : concat(List.of("no-pivot", "no-new-keyring"), booleans)) {
            if (p.bool(flag)) a.add("--" + flag);
        }
        a.add(id);
        return a;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
