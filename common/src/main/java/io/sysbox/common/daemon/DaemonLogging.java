package io.sysbox.common.daemon;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Log4j 2 for the daemons, configured from their command line in code (no configuration file to
 * look up at start-up): text lines for people, or runc-style JSON lines ({"level","msg","time"})
 * for the tools that already parse runc's logs.
 */
public final class DaemonLogging {
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n%throwable";
    static final String JSON_PATTERN = "{\"level\":\"%level{DEBUG=debug, INFO=info, WARN=warning, ERROR=error, "
            + "FATAL=fatal, TRACE=trace}\",\"msg\":\"%enc{%msg%throwable{separator(; )}}{JSON}\","
            + "\"time\":\"%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}\"}%n";

    private DaemonLogging() {}

    /**
     * Logs of the logger named daemon go to logFile (stderr when empty) at level (DEBUG, INFO,
     * WARN, ERROR); libraries (gRPC, Netty) speak up only for problems, even at debug.
     */
    public static LoggerContext configure(String daemon, Optional<Path> logFile, String level, boolean json)
            throws IOException {
        ConfigurationBuilder<BuiltConfiguration> config = ConfigurationBuilderFactory.newConfigurationBuilder();
        config.setConfigurationName(daemon);
        config.setStatusLevel(Level.ERROR);
        // The daemon flushes and stops logging itself after its last message on SIGTERM.
        config.setShutdownHook("disable");
        AppenderComponentBuilder appender;
        if (logFile.isPresent()) {
            Path file = logFile.get().toAbsolutePath();
            Files.createDirectories(file.getParent());
            appender = config.newAppender("out", "File")
                    .addAttribute("fileName", file.toString())
                    .addAttribute("append", true)
                    .addAttribute("immediateFlush", true);
        } else {
            appender = config.newAppender("out", "Console").addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR);
        }
        appender.add(config.newLayout("PatternLayout").addAttribute("pattern", json ? JSON_PATTERN : TEXT_PATTERN));
        config.add(appender);
        Level threshold = Level.valueOf(level);
        config.add(config.newLogger(daemon, threshold).add(config.newAppenderRef("out")).addAttribute("additivity", false));
        config.add(config.newRootLogger(threshold.isMoreSpecificThan(Level.WARN) ? threshold : Level.WARN)
                .add(config.newAppenderRef("out")));
        return Configurator.initialize(config.build());
    }
}
