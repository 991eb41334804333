package io.sysbox.runc.cli;

import io.sysbox.setup.state.RuntimeRoot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Flags that come before the command, as runc takes them, plus sysbox-runc's own. */
public record GlobalOptions(
        Path root,
        String log,
        String logFormat,
        boolean debug,
        boolean systemdCgroup,
        String lowLevelRuntime,
        boolean noSysboxMgr,
        boolean noSysboxFs,
        Path runDir,
        List<String> passThrough,
        boolean help,
        boolean version) {

    public static final Path DEFAULT_RUN_DIR = Path.of("/run/sysbox");

    static final FlagSet FLAGS = new FlagSet("sysbox-runc")
            .value("root").value("log").value("log-format").bool("debug").bool("systemd-cgroup")
            .value("low-level-runtime").bool("no-sysbox-mgr").bool("no-sysbox-fs").value("run-dir")
            .value("criu").value("rootless").bool("version", "v");

    /**
     * Parses the global flags; the returned list is the command and its arguments. Relative paths
     * are the caller's, against {@code cwd}. The compiled launcher reads the same flags to route a
     * call and to exec the engine for the commands that need nothing of ours (LauncherTest keeps the two
     * in step).
     */
    public static Parsed parse(List<String> argv, Map<String, String> env, Path cwd) throws UsageException {
        FlagSet.Parsed p = FLAGS.parse(argv);
        String format = p.value("log-format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new UsageException(null, "invalid --log-format \"" + format + "\": use text or json");
        }
        List<String> passThrough = new ArrayList<>();
        if (p.has("rootless")) passThrough.add("--rootless=" + p.value("rootless", "auto"));
        String runDir = p.value("run-dir", env.getOrDefault("SYSBOX_RUN_DIR", DEFAULT_RUN_DIR.toString()));
        GlobalOptions options = new GlobalOptions(
                cwd.resolve(p.value("root", RuntimeRoot.DEFAULT.toString())),
                p.value("log", null),
                format,
                p.bool("debug"),
                p.bool("systemd-cgroup"),
                p.value("low-level-runtime", env.getOrDefault("SYSBOX_LOW_LEVEL_RUNTIME", "runc")),
                p.bool("no-sysbox-mgr"),
                p.bool("no-sysbox-fs"),
                cwd.resolve(runDir),
                List.copyOf(passThrough),
                p.bool("help"),
                p.bool("version"));
        return new Parsed(options, p.positional());
    }

    public record Parsed(GlobalOptions options, List<String> rest) {}

    /** Where the low-level runtime keeps its state (RuntimeRoot decides the layout). */
    public Path engineRoot() {
        return new RuntimeRoot(root).engineRoot();
    }

    /** sysbox-runc's private directory for one container (converted bundle, knobs). */
    public Path containerDir(String id) {
        return new RuntimeRoot(root).privateDir(id);
    }
}
