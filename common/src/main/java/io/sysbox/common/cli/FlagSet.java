package io.sysbox.common.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * runc-style flag parsing (sysbox-runc's commands, sysbox-install's subcommands): {@code --name value}, {@code --name=value}, single-dash long names
 * ({@code -bundle}), short aliases ({@code -b}), repeatable flags. Parsing stops at the first
 * positional argument, as runc's does, so {@code exec ID ls -l} keeps {@code -l} for ls.
 */
public final class FlagSet {
    private final String command;
    private final Map<String, Boolean> takesValue = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();

    public FlagSet(String command) {
        this.command = command;
        bool("help", "h");
    }

    public FlagSet value(String name, String... alias) {
        takesValue.put(name, true);
        for (String a : alias) aliases.put(a, name);
        return this;
    }

    public FlagSet bool(String name, String... alias) {
        takesValue.put(name, false);
        for (String a : alias) aliases.put(a, name);
        return this;
    }

    public Parsed parse(List<String> args) throws UsageException {
        Map<String, List<String>> values = new HashMap<>();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) break;
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                inline = body.substring(eq + 1);
                body = body.substring(0, eq);
            }
            String name = aliases.getOrDefault(body, body);
            Boolean valued = takesValue.get(name);
            if (valued == null) {
                throw new UsageException(command, "flag provided but not defined: " + arg);
            }
            String value;
            if (valued) {
                if (inline != null) {
                    value = inline;
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(command, "flag needs an argument: " + arg);
                }
            } else {
                value = inline == null ? "true" : inline;
                if (!value.equals("true") && !value.equals("false")) {
                    throw new UsageException(command, "invalid boolean value \"" + value + "\" for " + arg);
                }
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            i++;
        }
        return new Parsed(values, List.copyOf(args.subList(i, args.size())));
    }

    /** {@link #parse} for a command that takes flags only: a positional argument is an error naming it. */
    public Parsed parseFlagsOnly(List<String> args) throws UsageException {
        Parsed parsed = parse(args);
        if (!parsed.positional().isEmpty()) {
            throw new UsageException(command, "\"" + command + "\" takes no arguments, got \"" + parsed.positional().getFirst() + "\"");
        }
        return parsed;
    }

    /** The result: flag values by long name, and what follows the flags. */
    public record Parsed(Map<String, List<String>> values, List<String> positional) {
        public String value(String name, String fallback) {
            List<String> v = values.get(name);
            return v == null ? fallback : v.getLast();
        }

        public boolean has(String name) {
            return values.containsKey(name);
        }

        public boolean bool(String name) {
            List<String> v = values.get(name);
            return v != null && v.getLast().equals("true");
        }

        public List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }
    }
}
