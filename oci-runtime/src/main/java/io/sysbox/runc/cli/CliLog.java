package io.sysbox.runc.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The runtime's log, in runc's formats so engines (containerd reads the last error of a json log)
 * understand it: logrus-style text ({@code time="..." level=error msg="..."}) or one JSON object
 * per line. Written line by line without a logging framework: the CLI runs inside the manager for
 * the launcher's calls, where configuring log4j would reconfigure the manager's own log.
 */
public final class CliLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final Path file;
    private final boolean json;
    private final boolean debug;

    /** @param file absolute, or null for no log */
    public CliLog(Path file, String format, boolean debug) {
        this.file = file;
        this.json = "json".equals(format);
        this.debug = debug;
    }

    public boolean debugEnabled() {
        return debug && file != null;
    }

    public void debug(String message) {
        if (debugEnabled()) write("debug", message);
    }

    public void error(String message) {
        if (file != null) write("error", message);
    }

    private void write(String level, String message) {
        String time = OffsetDateTime.now().format(TIME);
        String line = json
                ? "{\"level\":\"" + level + "\",\"msg\":\"" + escape(message) + "\",\"time\":\"" + time + "\"}\n"
                : "time=\"" + time + "\" level=" + level + " msg=\"" + escape(message) + "\"\n";
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log " + file, e);
        }
    }

    /** A JSON string's content: quotes, backslashes and control characters escaped. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
