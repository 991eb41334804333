package io.sysbox.runc.cli;

import io.sysbox.common.oci.InvalidSpecException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: global flags, then one command; errors go to stderr and the --log file. Run by
 * the manager for the calls the compiled launcher forwards (LauncherCall), and as its own JVM for
 * the rest (Main).
 */
public final class SysboxRunc {
    public static final String VERSION = "0.1.0";
    public static final String SPEC_VERSION = "1.0.2-dev";

    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final PrintStream out;
    private final PrintStream err;

    public SysboxRunc(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        for (Command c : List.of(
                new CreateCommand(), new DeleteCommand(), passThrough("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics", """
                        Usage: sysbox-runc events [command options] <container-id>

                        Options:
                           --interval value  set the stats collection interval (default: 5s)
                           --stats           display the container's stats then exit
                        """),
                new ExecCommand(),
                new FeaturesCommand(), passThrough("kill", "kill sends the specified signal (default: SIGTERM) to the container's init process", """
                        Usage: sysbox-runc kill [command options] <container-id> [signal]

                        Sends a signal (name or number, default SIGTERM) to the container's init process.

                        Options:
                           --all, -a  send the signal to all processes in the container
                        """),
                passThrough("list", "lists containers started by sysbox-runc with the given root", """
                        Usage: sysbox-runc list [command options]

                        Options:
                           --format value, -f value  table or json (default: table)
                           --quiet, -q               display only container IDs
                        """, 0),
                passThrough("pause", "pause suspends all processes inside the container", """
                        Usage: sysbox-runc pause <container-id>
                        """),
                passThrough("ps", "ps displays the processes running inside a container", """
                        Usage: sysbox-runc ps [command options] <container-id> [ps options]

                        Options:
                           --format value, -f value  table or json (default: table)
                        """),
                passThrough("resume", "resumes all processes that have been previously paused", """
                        Usage: sysbox-runc resume <container-id>
                        """),
                new RunCommand(), new SpecCommand(),
                passThrough("start", "executes the user defined process in a created container", """
                        Usage: sysbox-runc start <container-id>
                        """),
                new StateCommand(),
                passThrough("update", "update container resource constraints", """
                        Usage: sysbox-runc update [command options] <container-id>

                        Options:
                           --resources value, -r value  path to a file with the resources to update, or - for stdin
                           --memory, --memory-swap, --memory-reservation, --kernel-memory, --cpu-shares,
                           --cpu-period, --cpu-quota, --cpuset-cpus, --cpuset-mems, --pids-limit, ... as runc
                        """))) {
            commands.put(c.name(), c);
        }
    }

    private static Command passThrough(String name, String summary, String usage) {
        return passThrough(name, summary, usage, 1);
    }

    private static Command passThrough(String name, String summary, String usage, int minArgs) {
        return new PassThroughCommand(name, summary, usage, minArgs);
    }

    public int run(String[] argv, Caller caller) {
        GlobalOptions.Parsed parsed;
        try {
            parsed = GlobalOptions.parse(List.of(argv), caller.env(), caller.cwd());
        } catch (UsageException e) {
            err.println("sysbox-runc: " + e.getMessage());
            err.println("Run 'sysbox-runc --help' for usage.");
            return 1;
        }
        GlobalOptions options = parsed.options();
        List<String> rest = parsed.rest();
        if (options.version()) {
            out.println("sysbox-runc version " + VERSION);
            out.println("spec: " + SPEC_VERSION);
            out.println("low-level runtime: " + options.lowLevelRuntime());
            return 0;
        }
        if (options.help() || rest.isEmpty()) {
            out.print(overview());
            return options.help() ? 0 : 1;
        }
        String name = rest.getFirst();
        if (name.equals("help")) {
            if (rest.size() < 2) {
                out.print(overview());
                return 0;
            }
            Command c = commands.get(rest.get(1));
            if (c == null) return unknown(rest.get(1));
            out.print(c.usage());
            return 0;
        }
        Command command = commands.get(name);
        if (command == null) return unknown(name);
        CliLog log = new CliLog(options.log() == null ? null : caller.cwd().resolve(options.log()), options.logFormat(),
                options.debug());
        List<String> args = rest.subList(1, rest.size());
        try {
            if (!caller.root() && !args.contains("--help") && !args.contains("-h")) {
                return fail(log, "must run as root (it creates user namespaces, ID-shifted "
                        + "mounts and cgroups for its containers): run it with sudo or as root", 1);
            }
            log.debug("sysbox-runc " + String.join(" ", argv));
            return command.run(new Invocation(options, log, out, err, caller), args);
        } catch (Command.HelpRequested help) {
            out.print(command.usage());
            return 0;
        } catch (UsageException e) {
            err.println("sysbox-runc " + name + ": " + e.getMessage());
            err.println("Run 'sysbox-runc " + name + " --help' for usage.");
            log.error(e.getMessage());
            return 1;
        } catch (InvalidSpecException | IOException e) {
            return fail(log, e.getMessage(), 1);
        } catch (Exception e) {
            return fail(log, e.toString(), 1);
        }
    }

    private int fail(CliLog log, String message, int status) {
        err.println("sysbox-runc: " + message);
        log.error(message);
        return status;
    }

    private int unknown(String name) {
        err.println("sysbox-runc: no such command \"" + name + "\"");
        err.println("Run 'sysbox-runc --help' for usage.");
        return 1;
    }

    private String overview() {
        StringBuilder b = new StringBuilder("""
                NAME:
                   sysbox-runc - runtime for system containers (containers that run systemd, Docker,
                   containerd or Kubernetes inside, without --privileged)

                USAGE:
                   sysbox-runc [global options] command [command options] [arguments...]

                COMMANDS:
                """);
        for (Command c : commands.values()) {
            b.append(String.format("   %-10s %s%n", c.name(), c.summary()));
        }
        b.append(String.format("   %-10s %s%n", "help", "shows the commands or help for one command (help CMD)"));
        b.append("""

                GLOBAL OPTIONS:
                   --root value               state directory (default: /run/sysbox-runc)
                   --log value                log file (default: none; errors also go to stderr)
                   --log-format value         text or json (default: text)
                   --debug                    log debug messages
                   --systemd-cgroup           use the systemd cgroup driver of the low-level runtime
                   --low-level-runtime value  runc (default) or crun, by name or path
                   --run-dir value            sysbox daemons' sockets (default: /run/sysbox, or $SYSBOX_RUN_DIR)
                   --no-sysbox-mgr            (testing) run without sysbox-mgr
                   --no-sysbox-fs             (testing) run without sysbox-fs
                   --help, -h                 show help
                   --version, -v              print the version
                """);
        return b.toString();
    }
}
