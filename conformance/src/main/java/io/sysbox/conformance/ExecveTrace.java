package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every execve(2) a process tree makes, from {@code strace -f -e trace=execve}: of one command
 * ({@link #of}), or of a running daemon and everything it starts from then on ({@link #attach}).
 * Shows whether sysbox-runc started a JVM (issue 9: no java exec per runtime call).
 */
public final class ExecveTrace implements AutoCloseable {
    public static final Path STRACE = Path.of("/usr/bin/strace");
    /** {@code PID execve("PATH", ["ARG0", ...} as strace -f writes it (strings quoted, escaped). */
    private static final Pattern EXECVE = Pattern.compile("^(?:\\d+\\s+)?execve\\(\"((?:[^\"\\\\]|\\\\.)*)\", \\[(.*)");

    /** One exec: the program's path and its argv as strace shows it (strings quoted, cut at 4096 bytes). */
    public record Exec(String path, String argv) {
        public boolean isJava() {
            return path.endsWith("/java") || path.equals("java");
        }
    }

    private final Process strace;
    private final Path output;

    private ExecveTrace(Process strace, Path output) {
        this.strace = strace;
        this.output = output;
    }

    private static List<String> strace(Path output, boolean followForks) {
        Prerequisites.requireExecutable(STRACE, "strace");
        List<String> argv = new ArrayList<>(List.of(STRACE.toString(), "-qq", "-s", "4096", "-e", "trace=execve", "-o", output.toString()));
        if (followForks) argv.add(1, "-f");
        return argv;
    }

    /**
     * Runs COMMAND under strace; returns its result and the execs it made: those of its process
     * and, with {@code followForks}, of its children. Without: the chain of execs of the caller's
     * pid only, for a command that leaves a child behind (runc create's `runc init` waits for
     * start, and strace -f would wait for it).
     */
    public static Traced of(CommandRunner runner, Path output, List<String> command, boolean followForks) throws IOException {
        List<String> argv = strace(output, followForks);
        argv.addAll(command);
        CommandResult result = runner.run(argv);
        return new Traced(result, parse(output));
    }

    public record Traced(CommandResult result, List<Exec> execs) {}

    /**
     * Attaches to PID and the processes it has started (dockerd's containerd, say), and follows
     * what they start from now on, until {@link #close}.
     */
    public static ExecveTrace attach(long pid, Path output) throws IOException, InterruptedException {
        List<String> argv = strace(output, true);
        argv.addAll(List.of("-p", Long.toString(pid)));
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> argv.addAll(List.of("-p", Long.toString(d.pid())))));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(output.resolveSibling(output.getFileName() + ".log").toFile()).start();
        // strace writes nothing until something happens; give it the moment it needs to attach.
        for (int i = 0; i < 50 && p.isAlive() && !attached(pid, p.pid()); i++) Thread.sleep(20);
        if (!p.isAlive()) throw new IOException("strace -p " + pid + " exited at once (status " + p.exitValue() + ")");
        return new ExecveTrace(p, output);
    }

    /** The tracer shows as TracerPid in the traced process's status. */
    private static boolean attached(long pid, long tracer) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("TracerPid:")) return line.substring(10).strip().equals(Long.toString(tracer));
        }
        return false;
    }

    /** Detaches (SIGTERM to strace, which detaches cleanly) and returns the execs seen. */
    public List<Exec> stop() throws IOException, InterruptedException {
        close();
        return parse(output);
    }

    @Override
    public void close() throws InterruptedException {
        strace.destroy();
        if (!strace.waitFor(10, TimeUnit.SECONDS)) {
            strace.destroyForcibly();
            strace.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static List<Exec> parse(Path output) throws IOException {
        List<Exec> execs = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            Matcher m = EXECVE.matcher(line);
            if (m.find()) execs.add(new Exec(m.group(1), m.group(2)));
        }
        return execs;
    }
}
