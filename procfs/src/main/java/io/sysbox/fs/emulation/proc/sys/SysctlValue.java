package io.sysbox.fs.emulation.proc.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of a numeric sysctl or module parameter: one number, or a few (kernel/printk has
 * four). Immutable, so a reader holding one always has a whole value however writers race.
 */
public record SysctlValue(List<Long> numbers) {
    public SysctlValue {
        numbers = List.copyOf(numbers);
        if (numbers.isEmpty()) throw new IllegalArgumentException("a sysctl value has at least one number");
    }

    public static SysctlValue of(long... numbers) {
        List<Long> list = new ArrayList<>();
        for (long n : numbers) list.add(n);
        return new SysctlValue(list);
    }

    /** A value as the kernel prints it (numbers separated by tabs), read from {@code where}. */
    public static SysctlValue parse(String text, String where) throws IOException {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) throw new IOException(where + " is empty: expected a number");
        List<Long> numbers = new ArrayList<>();
        for (String field : trimmed.split("\\s+")) {
            try {
                numbers.add(Long.parseLong(field));
            } catch (NumberFormatException e) {
                throw new IOException(where + " holds '" + trimmed + "': expected numbers separated by white space");
            }
        }
        return new SysctlValue(numbers);
    }

    /** The first number: the whole value of a one-number sysctl. */
    public long first() {
        return numbers.getFirst();
    }

    /** This value with its first {@code given.size()} numbers replaced, as the kernel does for a short write. */
    public SysctlValue withLeading(List<Long> given) {
        List<Long> merged = new ArrayList<>(numbers);
        for (int i = 0; i < given.size() && i < merged.size(); i++) merged.set(i, given.get(i));
        return new SysctlValue(merged);
    }

    /** As the kernel prints it: tab-separated, one line. */
    public byte[] render() {
        StringBuilder text = new StringBuilder();
        for (Long n : numbers) {
            if (!text.isEmpty()) text.append('\t');
            text.append(n);
        }
        return text.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
