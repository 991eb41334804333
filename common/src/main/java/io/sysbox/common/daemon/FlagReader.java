package io.sysbox.common.daemon;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * A cursor over a daemon's arguments that understands {@code --flag=value} and {@code --flag value}.
 * Its errors are the daemon's own usage exception, made by {@code usageError} from a message
 * that names the flag and the value it did not take.
 */
public final class FlagReader<X extends Exception> {
    private final String[] args;
    private final Function<String, X> usageError;
    private int next;
    private String inlineValue;

    public FlagReader(String[] args, Function<String, X> usageError) {
        this.args = args;
        this.usageError = usageError;
    }

    public boolean hasNext() {
        return next < args.length;
    }

    /** The next flag, without its {@code =value} if it has one (then kept for {@link #value}). */
    public String nextFlag() {
        String arg = args[next++];
        int eq = arg.indexOf('=');
        if (arg.startsWith("--") && eq > 0) {
            inlineValue = arg.substring(eq + 1);
            return arg.substring(0, eq);
        }
        inlineValue = null;
        return arg;
    }

    /** The usage exception for {@code message}, for checks the daemon makes itself. */
    public X error(String message) {
        return usageError.apply(message);
    }

    /** The flag's value: after its '=', or the next argument. */
    public String value(String flag) throws X {
        if (inlineValue != null) return inlineValue;
        if (next >= args.length) throw error(flag + " needs a value");
        return args[next++];
    }

    public Path path(String flag) throws X {
        String value = value(flag);
        if (value.isEmpty()) throw error(flag + " needs a non-empty path");
        return Path.of(value);
    }

    /** One of the enum's constants, named in any case. */
    public <E extends Enum<E>> E choice(String flag, Class<E> type) throws X {
        String value = value(flag);
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                if (!allowed.isEmpty()) allowed.append(", ");
                allowed.append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw error(flag + " '" + value + "' is not one of " + allowed);
        }
    }

    /** --flag alone means true; a following "true"/"false" (or =BOOL) sets it explicitly. */
    public boolean bool(String flag) throws X {
        String value = inlineValue;
        if (value == null && next < args.length && isBool(args[next])) value = args[next++];
        if (value == null) return true;
        if (!isBool(value)) throw error(flag + " '" + value + "' is not true or false");
        return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
    }

    private static boolean isBool(String s) {
        return s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false");
    }
}
