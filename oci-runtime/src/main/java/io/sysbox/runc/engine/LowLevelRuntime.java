package io.sysbox.runc.engine;

import io.sysbox.runc.cli.Caller;
import io.sysbox.runc.cli.GlobalOptions;
import io.sysbox.setup.Libexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The proven low-level runtime (runc by default, crun selectable) that does clone, pivot_root,
 * cgroups and exec. sysbox-runc prepares, then either replaces the caller with the engine (when
 * the caller needs the engine's pid, signals, terminal and exit status) or runs it as a child
 * (when sysbox-runc must act after it: delete, state), always in the caller's process.
 *
 * The compiled launcher (oci-runtime/src/main/c/sysbox-runc.c) builds the same line for the
 * commands it execs without asking the manager: LauncherTest checks that both agree.
 */
public record LowLevelRuntime(Path binary, List<String> globalArgs, EngineProcess process, List<String> launcher) {
    /** NETNS_EXEC: the helper that execs a program in a network namespace (see EnteredNetwork). */
    public static final String NETNS_EXEC = "sysbox-netns-exec";

    public LowLevelRuntime(Path binary, List<String> globalArgs, EngineProcess process) {
        this(binary, globalArgs, process, List.of());
    }

    /**
     * The same engine, started inside the network namespace NETNS by the sysbox-netns-exec helper
     * (a pod's container, whose spec cannot name the namespace: see EnteredNetwork), found in LIBEXEC.
     */
    public LowLevelRuntime enteringNetwork(String netns, Libexec libexec) throws IOException {
        Path helper = libexec.find(NETNS_EXEC, "to start a pod's container in the pod's network namespace");
        return new LowLevelRuntime(binary, globalArgs, process, List.of(helper.toString(), netns));
    }

    public static LowLevelRuntime from(GlobalOptions options, Caller caller) throws IOException {
        Path binary = resolve(options.lowLevelRuntime(), caller);
        List<String> global = new ArrayList<>();
        global.add("--root");
        global.add(options.engineRoot().toString());
        if (options.log() != null) {
            global.add("--log");
            global.add(options.log());
            global.add("--log-format");
            global.add(options.logFormat());
        }
        if (options.debug()) global.add("--debug");
        if (options.systemdCgroup()) global.add("--systemd-cgroup");
        global.addAll(options.passThrough());
        return new LowLevelRuntime(binary, List.copyOf(global), caller.engineProcess());
    }

    /** An absolute path, or a name looked up in the caller's PATH like a shell would. */
    static Path resolve(String name, Caller caller) throws IOException {
        if (name.contains("/")) {
            Path p = caller.cwd().resolve(name);
            if (Files.isExecutable(p)) return p;
            throw new IOException("low-level runtime " + p + " is not an executable file (--low-level-runtime)");
        }
        String path = caller.env().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = caller.cwd().resolve(Path.of(dir, name));
            if (Files.isExecutable(p)) return p;
        }
        throw new IOException("low-level runtime \"" + name + "\" not found in PATH; install runc "
                + "(apt-get install runc) or pass --low-level-runtime /path/to/runc");
    }

    public List<String> argv(String command, List<String> args) {
        List<String> argv = new ArrayList<>(launcher);
        argv.add(binary.toString());
        argv.addAll(globalArgs);
        argv.add(command);
        argv.addAll(args);
        return argv;
    }

    /** Becomes the engine (see {@link EngineProcess#become}). */
    public void become(String command, List<String> args) throws IOException {
        process.become(argv(command, args), Optional.empty());
    }

    /**
     * Becomes the engine with a memory file holding {@code content}, named by its /proc/self/fd
     * path where {@code args} has it at {@code fileArg}.
     */
    public void becomeWithMemoryFile(String command, List<String> args, int fileArg, byte[] content) throws IOException {
        int index = launcher.size() + 1 + globalArgs.size() + 1 + fileArg;
        process.become(argv(command, args), Optional.of(new EngineProcess.MemoryFileArg(index, content)));
    }

    /** Runs the engine as a child with the caller's stdio; returns its exit status. */
    public int run(String command, List<String> args) throws IOException {
        return process.run(argv(command, args));
    }

    /** Runs the engine as a child, capturing stdout (stderr goes to the caller's). */
    public EngineProcess.Captured capture(String command, List<String> args) throws IOException {
        return process.capture(argv(command, args));
    }
}
