package io.sysbox.runc.cli;

import io.sysbox.common.cli.FlagSet;
import io.sysbox.common.cli.UsageException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.spec.ProcessCwd;
import io.sysbox.setup.spec.RuntimeCapabilities;
import io.sysbox.setup.spec.SpecConverter;
import io.sysbox.runc.engine.LowLevelRuntime;
import io.sysbox.setup.state.ContainerRecord;
import io.sysbox.setup.state.EngineState;
import io.sysbox.setup.state.EnteredNetwork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * exec: a new process in a running system container gets the same capability rule as its init
 * (root: the runtime's full set; other users: bounding only). sysbox-runc writes the final
 * process.json to a memory file and becomes `runc exec --process /proc/self/fd/N` (the launcher makes
 * the file when the manager runs the call), so nothing is left on disk and the engine owns the
 * process's pid, terminal and exit status.
 */
public final class ExecCommand implements Command {
    static final FlagSet FLAGS = new FlagSet("exec")
            .value("console-socket").value("cwd").value("env", "e").bool("tty", "t").value("user", "u")
            .value("additional-gids", "g").value("process", "p").bool("detach", "d").value("pid-file")
            .value("process-label").value("apparmor").bool("no-new-privs").value("cap", "c")
            .value("preserve-fds").value("cgroup").bool("ignore-paused");

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "execute new process inside the container";
    }

    @Override
    public String usage() {
        return """
                Usage: sysbox-runc exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>

                Runs a new process in a running system container.

                Options:
                   --console-socket value     AF_UNIX socket that receives the master end of the console pty
                   --cwd value                current working directory in the container
                   --env value, -e value      set environment variables (repeatable)
                   --tty, -t                  allocate a pseudo-TTY
                   --user value, -u value     UID[:GID] to run as
                   --additional-gids value, -g value  additional gids (repeatable)
                   --process value, -p value  path to a process.json
                   --detach, -d               detach from the process
                   --pid-file value           file to write the process's pid to
                   --cap value, -c value      add a capability to the bounding set (repeatable)
                   --no-new-privs             set no_new_privs
                   --preserve-fds value       number of extra fds to pass (default: 0)
                   --cgroup value             run in this sub-cgroup of the container
                   --ignore-paused            allow exec in a paused container
                """;
    }

    @Override
    public int run(Invocation invocation, List<String> args) throws Exception {
        FlagSet.Parsed p = parse(FLAGS, args, 1);
        String id = p.positional().getFirst();
        Path dir = invocation.options().containerDir(id);
        Optional<ContainerRecord> record = ContainerRecord.read(dir);
        if (record.isEmpty()) {
            // Not a container we set up (or gone): the engine gives its usual answer.
            invocation.engine().become("exec", args);
            return 1;
        }
        ObjectNode process = p.has("process")
                ? readProcess(invocation.caller().cwd().resolve(p.value("process", "")))
                : fromFlags(p, Spec.read(dir.resolve("config.json")));
        try {
            ProcessCwd.check(process.path("cwd").asText("/"), p.has("process") ? "exec --process's cwd" : "exec's cwd");
        } catch (InvalidSpecException e) {
            throw new UsageException("exec", e.getMessage());
        }
        if (record.get().syscontMode()) {
            SpecConverter.applyCapabilities(process, RuntimeCapabilities.ofProcess(Long.toString(invocation.caller().pid())),
                    record.get().honorCaps());
        }
        List<String> engineArgs = new ArrayList<>(List.of("--process", "(memory file)"));
        for (String valued : List.of("console-socket", "pid-file", "preserve-fds", "cgroup")) {
            if (p.has(valued)) {
                engineArgs.add("--" + valued);
                engineArgs.add(p.value(valued, ""));
            }
        }
        if (p.bool("detach")) engineArgs.add("--detach");
        if (p.bool("ignore-paused")) engineArgs.add("--ignore-paused");
        engineArgs.add(id);
        LowLevelRuntime engine = invocation.engine();
        if (EnteredNetwork.of(dir).isPresent()) {
            // The spec names no network namespace (one the container does not own): the engine would leave the
            // process in ours, so it starts in the container's.
            engine = engine.enteringNetwork("/proc/" + initPid(invocation, id) + "/ns/net", invocation.caller().libexec());
        }
        engine.becomeWithMemoryFile("exec", engineArgs, 1, Spec.JSON.writeValueAsBytes(process));
        return 1;
    }

    /** The container's init pid, from the engine's state. */
    private static long initPid(Invocation invocation, String id) throws Exception {
        Path root = invocation.options().engineRoot();
        return EngineState.initPid(root, id).orElseThrow(() -> new UsageException("exec",
                "container " + id + " is not running (no init process in the engine's state under " + root.resolve(id) + ")"));
    }

    private static ObjectNode readProcess(Path file) throws Exception {
        JsonNode node = Spec.JSON.readTree(Files.readAllBytes(file));
        if (!(node instanceof ObjectNode object)) throw new UsageException("exec", file + ": not a JSON object");
        return object;
    }

    /** runc's own rule: the container's process, with the command line's changes. */
    private static ObjectNode fromFlags(FlagSet.Parsed p, Spec containerSpec) throws UsageException {
        List<String> command = p.positional().subList(1, p.positional().size());
        if (command.isEmpty()) throw new UsageException("exec", "exec requires a command to run");
        ObjectNode process = containerSpec.process().deepCopy();
        ArrayNode argv = process.putArray("args");
        command.forEach(argv::add);
        process.put("terminal", p.bool("tty"));
        if (p.has("cwd")) process.put("cwd", p.value("cwd", "/"));
        ArrayNode env = Spec.arrayIn(process, "env");
        p.all("env").forEach(env::add);
        if (p.bool("no-new-privs")) process.put("noNewPrivileges", true);
        if (p.has("user")) {
            String[] ug = p.value("user", "").split(":", 2);
            ObjectNode user = process.putObject("user");
            user.put("uid", parseId(ug[0], "--user"));
            user.put("gid", ug.length > 1 ? parseId(ug[1], "--user") : 0);
        }
        if (p.has("additional-gids")) {
            ArrayNode gids = Spec.objectIn(process, "user").putArray("additionalGids");
            for (String g : p.all("additional-gids")) gids.add(parseId(g, "--additional-gids"));
        }
        if (p.has("cap")) {
            ObjectNode caps = Spec.objectIn(process, "capabilities");
            for (String set : List.of("bounding", "effective", "permitted")) {
                ArrayNode list = Spec.arrayIn(caps, set);
                p.all("cap").forEach(list::add);
            }
        }
        return process;
    }

    private static long parseId(String s, String flag) throws UsageException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("exec", flag + " takes numeric ids (UID[:GID]); got \"" + s + "\"");
        }
    }
}
