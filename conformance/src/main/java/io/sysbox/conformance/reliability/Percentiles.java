package io.sysbox.conformance.reliability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** p50/p95/max of a set of durations in milliseconds (nearest-rank). */
public record Percentiles(int count, double p50, double p95, double max) {

    public static Percentiles of(List<Double> millis) {
        if (millis.isEmpty()) throw new IllegalArgumentException("no samples");
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return new Percentiles(sorted.size(), rank(sorted, 0.50), rank(sorted, 0.95), sorted.getLast());
    }

    private static double rank(List<Double> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    public String describe() {
        return String.format(Locale.ROOT, "n=%d p50 %.0f ms, p95 %.0f ms, max %.0f ms", count, p50, p95, max);
    }
}
