package io.sysbox.runc.engine;

import io.sysbox.common.sys.Exec;
import io.sysbox.runc.cli.GlobalOptions;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The proven low-level runtime (runc by default, crun selectable) that does clone, pivot_root,
 * cgroups and exec. sysbox-runc prepares, then either replaces itself with the engine (when the
 * caller needs the engine's pid, signals, terminal and exit status) or runs it as a child (when
 * sysbox-runc must act after it: delete, state).
 */
public record LowLevelRuntime(Path binary, List<String> globalArgs, List<String> launcher) {
    /** NETNS_EXEC: the helper that execs a program in a network namespace (see EnteredNetwork). */
    public static final String NETNS_EXEC = "sysbox-netns-exec";

    public LowLevelRuntime(Path binary, List<String> globalArgs) {
        this(binary, globalArgs, List.of());
    }

    /**
     * The same engine, started inside the network namespace NETNS by the sysbox-netns-exec helper
     * (a pod's container, whose spec cannot name the namespace: see EnteredNetwork).
     */
    public LowLevelRuntime enteringNetwork(String netns) throws IOException {
        Path helper = Libexec.find(NETNS_EXEC, "to start a pod's container in the pod's network namespace");
        return new LowLevelRuntime(binary, globalArgs, List.of(helper.toString(), netns));
    }

    /** What execve runs: the helper when there is one, else the engine itself. */
    private String program() {
        return launcher.isEmpty() ? binary.toString() : launcher.getFirst();
    }

    public static LowLevelRuntime from(GlobalOptions options) throws IOException {
        Path binary = resolve(options.lowLevelRuntime());
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
        return new LowLevelRuntime(binary, List.copyOf(global));
    }

    /** An absolute path, or a name looked up in PATH like a shell would. */
    static Path resolve(String name) throws IOException {
        if (name.contains("/")) {
            Path p = Path.of(name).toAbsolutePath();
            if (Files.isExecutable(p)) return p;
            throw new IOException("low-level runtime " + p + " is not an executable file (--low-level-runtime)");
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
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

    /**
     * Becomes the engine: never returns unless execve fails. Launched by dist/bin/sysbox-runc,
     * the JVM exits and the launcher execs the engine (SYSBOX_EXEC_FD); run any other way, the
     * JVM execs it through FFM.
     */
    public void become(String command, List<String> args) throws IOException, InterruptedException {
        String execFd = System.getenv("SYSBOX_EXEC_FD");
        if (execFd != null && execFd.matches("\\d+")) {
            // The launcher execs the engine once we exit (see launch_then_exec in launcher.sh).
            try (OutputStream out = new FileOutputStream("/proc/self/fd/" + execFd)) {
                out.write(ShellWords.execLine(argv(command, args)).getBytes(StandardCharsets.UTF_8));
            }
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        Exec.execve(program(), argv(command, args), System.getenv());
    }

    /**
     * Becomes the engine through execve from this JVM: for calls that hand the engine a file
     * descriptor this process opened (exec's process.json memfd), which would not outlive the JVM
     * if the launcher did the exec.
     */
    public void becomeKeepingFds(String command, List<String> args) throws IOException, InterruptedException {
        if (System.getenv("SYSBOX_AOT_TRAIN") != null) {
            // Recording an AOT cache: the JVM writes it only when it exits, which execve skips.
            System.exit(run(command, args));
        }
        Exec.execve(program(), argv(command, args), System.getenv());
    }

    /** Runs the engine as a child with our stdio; returns its exit status. */
    public int run(String command, List<String> args) throws IOException, InterruptedException {
        return new ProcessBuilder(argv(command, args)).inheritIO().start().waitFor();
    }

    /** Runs the engine as a child, capturing stdout (stderr goes to ours). */
    public Captured capture(String command, List<String> args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv(command, args))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        return new Captured(p.waitFor(), out);
    }

    public record Captured(int exitCode, byte[] stdout) {}
}
