package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a numeric sysctl takes: up to {@code count} numbers, each within min..max (SPEC §6's
 * RANGE, or the range of the kernel's C type). Anything else is EINVAL, as the kernel answers.
 */
public record SysctlSyntax(int count, long min, long max) {
    /** A C int (proc_dointvec). */
    public static final SysctlSyntax INT = new SysctlSyntax(1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    /** A non-negative C int (proc_dointvec_minmax from 0). */
    public static final SysctlSyntax NON_NEGATIVE_INT = new SysctlSyntax(1, 0, Integer.MAX_VALUE);
    /**
     * A C unsigned long (proc_doulongvec_minmax). Values above 2^63-1 are refused: the kernel
     * takes them for a few sysctls, but no container needs them.
     */
    public static final SysctlSyntax ULONG = new SysctlSyntax(1, 0, Long.MAX_VALUE);

    /** Decimal, 0x-hexadecimal or 0-octal, with an optional minus: what the kernel's proc_get_long reads. */
    private static final Pattern NUMBER = Pattern.compile("-?(0[xX][0-9a-fA-F]+|[0-9]+)");

    public SysctlSyntax {
        if (count < 1) throw new IllegalArgumentException("a sysctl takes at least one number, not " + count);
        if (min > max) throw new IllegalArgumentException("empty range " + min + ".." + max);
    }

    /** One number within min..max. */
    public static SysctlSyntax range(long min, long max) {
        return new SysctlSyntax(1, min, max);
    }

    /** Up to {@code count} numbers of this range. */
    public SysctlSyntax times(int count) {
        return new SysctlSyntax(count, min, max);
    }

    /**
     * The numbers a write gives: 1 to count of them, separated by white space, trailing newline
     * allowed. Fewer than count replace only the first ones, as the kernel does.
     *
     * @param path named in the error, for the log
     */
    public List<Long> parse(String text, String path) throws FuseException {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) throw invalid(path, "an empty value");
        String[] fields = trimmed.split("\\s+");
        if (fields.length > count) {
            throw invalid(path, "'" + trimmed + "': " + fields.length + " numbers, it takes at most " + count);
        }
        List<Long> numbers = new ArrayList<>();
        for (String field : fields) {
            if (!NUMBER.matcher(field).matches()) throw invalid(path, "'" + field + "' is not a number");
            long n;
            try {
                n = Long.decode(field);
            } catch (NumberFormatException e) {
                // Too long for a long, or 0-octal with an 8 or 9.
                throw invalid(path, "'" + field + "' is not a number within " + min + ".." + max);
            }
            if (n < min || n > max) throw invalid(path, field + " is out of range " + min + ".." + max);
            numbers.add(n);
        }
        return numbers;
    }

    private static FuseException invalid(String path, String what) {
        return new FuseException(Errno.EINVAL, path + ": " + what);
    }
}
