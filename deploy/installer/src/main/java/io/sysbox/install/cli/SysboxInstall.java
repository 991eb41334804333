package io.sysbox.install.cli;

import io.sysbox.install.toml.InvalidConfigException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * sysbox-install: registers sysbox-runc with the host's container runtimes (Docker, containerd,
 * CRI-O) and installs the runtime's files on a node. Errors say what failed, where, and how to fix
 * it, on stderr with status 1; usage errors add the subcommand's usage.
 */
public final class SysboxInstall {
    private final PrintStream out;
    private final PrintStream err;
    private final List<Command> commands;

    public SysboxInstall(PrintStream out, PrintStream err, Defaults defaults) {
        this.out = out;
        this.err = err;
        this.commands = List.of(new DockerCommand(), new ContainerdCommand(), new CrioCommand(), new NodeCommand(defaults));
    }

    /** Where the installation's own files are, from the launcher (the dist/ layout the JVM runs from). */
    public record Defaults(java.nio.file.Path dist) {}

    public int run(String... args) {
        if (args.length == 0 || List.of("--help", "-h", "help").contains(args[0])) {
            if (args.length > 1 && args[0].equals("help")) {
                return commandNamed(args[1]).map(c -> { out.print(c.usage()); return 0; }).orElseGet(() -> unknown(args[1]));
            }
            out.print(overview());
            return args.length == 0 ? 2 : 0;
        }
        var command = commandNamed(args[0]);
        if (command.isEmpty()) return unknown(args[0]);
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.get().usage());
            return 0;
        }
        try {
            return command.get().run(rest, out, err);
        } catch (UsageException e) {
            err.println("sysbox-install " + e.command() + ": " + e.getMessage());
            err.print(command.get().usage());
            return 1;
        } catch (InvalidConfigException e) {
            err.println("sysbox-install: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("sysbox-install: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private java.util.Optional<Command> commandNamed(String name) {
        return commands.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private int unknown(String name) {
        err.println("sysbox-install: no command \"" + name + "\"; the commands are "
                + String.join(", ", commands.stream().map(Command::name).toList()) + " (sysbox-install --help)");
        return 2;
    }

    private String overview() {
        StringBuilder text = new StringBuilder("""
                Usage: sysbox-install COMMAND [flags]   (sysbox-install COMMAND --help for its flags)

                Registers the sysbox-runc runtime with the host's container runtimes and installs it on
                Kubernetes nodes. Every change to a runtime's config is recorded first (the file's bytes)
                under /var/lib/sysbox-deploy, so --uninstall puts each file back as it was.

                Commands:
                """);
        for (Command c : commands) text.append(String.format("   %-11s%s%n", c.name(), c.summary()));
        return text.toString();
    }
}
