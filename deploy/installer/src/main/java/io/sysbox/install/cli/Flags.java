package io.sysbox.install.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subcommands' flags: {@code --name value}, {@code --name=value} and boolean {@code --name};
 * anything else is an error naming it. No positional arguments.
 */
final class Flags {
    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    static Flags parse(String command, List<String> args, Set<String> valued, Set<String> booleans) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException(command, "\"" + command + "\" takes no arguments, got \"" + arg + "\"");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valued.contains(name)) {
                if (inline == null) {
                    if (i + 1 >= args.size()) throw new UsageException(command, "flag needs an argument: --" + name);
                    inline = args.get(++i);
                }
                values.put(name, inline);
            } else if (booleans.contains(name) || name.equals("help")) {
                if (inline != null && !inline.equals("true") && !inline.equals("false")) {
                    throw new UsageException(command, "invalid boolean value \"" + inline + "\" for --" + name);
                }
                values.put(name, inline == null ? "true" : inline);
            } else {
                throw new UsageException(command, "flag provided but not defined: " + arg);
            }
        }
        return new Flags(values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean bool(String name) {
        return "true".equals(values.get(name));
    }

    String value(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** The flags given among NAMES, as written on the command line. */
    List<String> given(String... names) {
        List<String> given = new ArrayList<>();
        for (String n : names) if (values.containsKey(n)) given.add("--" + n);
        return given;
    }

    static Set<String> set(String... names) {
        return Set.copyOf(List.of(names));
    }
}
