package io.sysbox.conformance;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Watches systemd boot in a container through whatever runs a command in it (docker exec,
 * sysbox-runc exec, CRI ExecSync): `systemctl is-system-running` until it leaves the boot
 * states, or a deadline. What a failed boot left (failed units, warnings of the journal) is
 * collected for the assertion message.
 */
public final class SystemdBoot {
    /** The states of `systemctl is-system-running` while the boot is not over (offline: no manager answers yet). */
    private static final Set<String> BOOTING = Set.of("", "offline", "initializing", "starting");
    private static final Duration POLL = Duration.ofMillis(200);

    private final Function<List<String>, CommandResult> exec;

    /** EXEC runs its argument (argv) in the container. */
    public SystemdBoot(Function<List<String>, CommandResult> exec) {
        this.exec = exec;
    }

    /** How the boot ended: the state systemd reported, when (from the start given), and what failed. */
    public record Outcome(String state, Duration elapsed, String diagnosis) {
        public boolean running() {
            return state.equals("running");
        }

        public String describe() {
            return "systemctl is-system-running: '" + state + "' after " + elapsed.toMillis() + " ms" + diagnosis;
        }
    }

    /**
     * Polls until systemd reports a final state or LIMIT has passed since STARTED_NANOS (a
     * System.nanoTime() taken before the container was started).
     */
    public Outcome await(long startedNanos, Duration limit) throws InterruptedException {
        long deadline = startedNanos + limit.toNanos();
        String state;
        while (true) {
            state = exec.apply(List.of("systemctl", "is-system-running")).stdout().strip();
            long now = System.nanoTime();
            if (!BOOTING.contains(state) || now > deadline) {
                Duration elapsed = Duration.ofNanos(now - startedNanos);
                return new Outcome(state, elapsed, state.equals("running") ? "" : diagnosis());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The failed units, the jobs still queued and the journal's warnings: why a boot is not `running`. */
    public String diagnosis() {
        StringBuilder text = new StringBuilder();
        for (List<String> command : List.of(
                List.of("systemctl", "--failed", "--no-legend", "--plain", "--no-pager"),
                List.of("systemctl", "list-jobs", "--no-legend", "--no-pager"),
                List.of("journalctl", "-b", "-p", "warning", "--no-pager", "-n", "60"))) {
            CommandResult r = exec.apply(command);
            text.append("\n--- ").append(String.join(" ", command)).append(" (exit ").append(r.exitCode()).append(")\n")
                    .append(r.stdout().strip());
            if (!r.stderr().isBlank()) text.append("\n").append(r.stderr().strip());
        }
        return text.toString();
    }
}
