package io.sysbox.conformance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sysbox-runc binary of dist/ with a private state root and manager run dir, so a suite
 * never sees (or disturbs) containers of an installed copy.
 */
public final class SysboxRunc {
    private final Path executable;
    private final Path root;
    private final Path runDir;
    private final Optional<Path> log;
    private final List<String> userPrefix;
    private final CommandRunner runner;

    private SysboxRunc(Path executable, Path root, Path runDir, Optional<Path> log, List<String> userPrefix,
                       CommandRunner runner) {
        this.executable = executable;
        this.root = root;
        this.runDir = runDir;
        this.log = log;
        this.userPrefix = List.copyOf(userPrefix);
        this.runner = runner;
    }

    /** Logs in JSON to LOG, so a failing test can show what the runtime said. */
    public SysboxRunc(Path executable, Path root, Path runDir, Path log, CommandRunner runner) {
        this(executable, root, runDir, Optional.of(log), List.of(), runner);
    }

    public Path root() {
        return root;
    }

    public Path runDir() {
        return runDir;
    }

    public Optional<Path> log() {
        return log;
    }

    /** The same runtime talking to the manager of another run dir (an empty one: no manager). */
    public SysboxRunc withRunDir(Path otherRunDir) {
        return new SysboxRunc(executable, root, otherRunDir, log, userPrefix, runner);
    }

    /**
     * The same runtime started through PREFIX (e.g. setpriv to drop root), without --log: a
     * non-root caller could not open the suite's log file, and that is not what is under test.
     */
    public SysboxRunc runThrough(List<String> prefix) {
        return new SysboxRunc(executable, root, runDir, Optional.empty(), prefix, runner);
    }

    public CommandResult run(String... args) {
        return runner.run(command(args));
    }

    /** For commands that read stdin, such as `update --resources -`. */
    public CommandResult runWithInput(String stdin, String... args) {
        return runner.run(command(args), stdin.getBytes(StandardCharsets.UTF_8));
    }

    /** The full argv: prefix, binary, global flags, ARGS. */
    public List<String> command(String... args) {
        List<String> argv = new ArrayList<>(userPrefix);
        argv.add(executable.toString());
        argv.add("--root");
        argv.add(root.toString());
        argv.add("--run-dir");
        argv.add(runDir.toString());
        log.ifPresent(file -> {
            argv.add("--log");
            argv.add(file.toString());
            argv.add("--log-format");
            argv.add("json");
        });
        argv.addAll(List.of(args));
        return argv;
    }
}
