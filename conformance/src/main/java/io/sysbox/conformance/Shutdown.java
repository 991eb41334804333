package io.sysbox.conformance;

import java.util.ArrayList;
import java.util.List;

/** Stopping what a suite started: every part is closed, in order, whatever the others do. */
public final class Shutdown {
    private Shutdown() {}

    /** Closes each of PARTS in order; the messages of those that failed. */
    public static List<String> closeAll(List<? extends AutoCloseable> parts) {
        List<String> problems = new ArrayList<>();
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                problems.add(String.valueOf(e.getMessage()));
            }
        }
        return problems;
    }
}
