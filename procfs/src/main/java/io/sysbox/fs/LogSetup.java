package io.sysbox.fs;

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

/**
 * Log4j 2 configured from the command line, in code (as sysbox-mgr does): text lines for
 * people, or runc-style JSON lines ({"level","msg","time"}) for tools that parse runc's logs.
 */
final class LogSetup {
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n%throwable";
    static final String JSON_PATTERN = "{\"level\":\"%level{DEBUG=debug, INFO=info, WARN=warning, ERROR=error, "
            + "FATAL=fatal, TRACE=trace}\",\"msg\":\"%enc{%msg%throwable{separator(; )}}{JSON}\","
            + "\"time\":\"%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}\"}%n";

    /** The daemon's own logger; everything else is a library. */
    static final String LOGGER = "sysbox-fs";

    private LogSetup() {}

    static LoggerContext configure(FsOptions options) throws IOException {
        ConfigurationBuilder<BuiltConfiguration> config = ConfigurationBuilderFactory.newConfigurationBuilder();
        config.setConfigurationName("sysbox-fs");
        config.setStatusLevel(Level.ERROR);
        // The daemon flushes and stops logging itself after its last message on SIGTERM.
        config.setShutdownHook("disable");
        String pattern = options.logFormat() == FsOptions.LogFormat.JSON ? JSON_PATTERN : TEXT_PATTERN;
        AppenderComponentBuilder appender;
        if (options.logFile().isPresent()) {
            Path file = options.logFile().get().toAbsolutePath();
            Files.createDirectories(file.getParent());
            appender = config.newAppender("out", "File")
                    .addAttribute("fileName", file.toString())
                    .addAttribute("append", true)
                    .addAttribute("immediateFlush", true);
        } else {
            appender = config.newAppender("out", "Console").addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR);
        }
        appender.add(config.newLayout("PatternLayout").addAttribute("pattern", pattern));
        config.add(appender);
        Level level = Level.valueOf(options.logLevel().name());
        config.add(config.newLogger(LOGGER, level).add(config.newAppenderRef("out")).addAttribute("additivity", false));
        // Libraries (gRPC, Netty) speak up only for problems, even at --log-level debug.
        config.add(config.newRootLogger(level.isMoreSpecificThan(Level.WARN) ? level : Level.WARN)
                .add(config.newAppenderRef("out")));
        return Configurator.initialize(config.build());
    }
}
