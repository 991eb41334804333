package io.sysbox.conformance.reliability;

/**
 * How big the reliability suites run: {@code ci} (the default, what `.ci/run` can afford on two
 * cores beside other work) or {@code full} (issue 12's sizes, `conformance/bench/reliability.sh`),
 * chosen by -D{@value #PROPERTY}.
 *
 * @param crashBundles   bundle containers running while the daemons are killed
 * @param crashDocker    Docker containers running meanwhile
 * @param churnCycles    create/start/exec/delete cycles of each kind (bundles, Docker)
 * @param churnParallel  cycles in flight at once
 * @param loadContainers containers started at once by the load suite
 */
public record ReliabilityScale(String name, int crashBundles, int crashDocker, int churnCycles, int churnParallel,
                               int loadContainers) {
    public static final String PROPERTY = "sysbox.reliability.scale";

    public static final ReliabilityScale CI = new ReliabilityScale("ci", 3, 2, 24, 4, 10);
    public static final ReliabilityScale FULL = new ReliabilityScale("full", 10, 10, 200, 10, 50);

    public static ReliabilityScale fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "ci");
        return switch (value) {
            case "ci", "" -> CI;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be ci or full, was " + value);
        };
    }

    /** The cycles of a warm-up, after which the daemons' memory and threads must stay flat. */
    public int warmupCycles() {
        return Math.max(churnParallel * 2, churnCycles / 5);
    }
}
