package io.sysbox.install.toml;

import java.util.regex.Pattern;

/** TOML as the installer writes it: keys and strings quoted so that any name or path reads back as itself. */
public final class TomlText {
    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private TomlText() {}

    /** KEY as a TOML key: bare when it may be, else a basic string. */
    public static String key(String key) {
        return BARE_KEY.matcher(key).matches() ? key : string(key);
    }

    /** VALUE as a TOML basic string. */
    public static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04X", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
