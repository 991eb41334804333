package io.sysbox.runc.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * The runtime's log, in runc's formats so engines (containerd reads the last error of a
 * json log) understand it. log4j is set up only when something is logged: most invocations
 * log nothing, and the CLI must start fast.
 */
public final class CliLog {
    /** logrus-style text, as runc writes it. */
    private static final String TEXT = "time=\"%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}\" level=%level{lowerCase=true} msg=\"%enc{%m}{JSON}\"%n";
    /** runc's --log-format json: one object per line with level, msg, time. */
    private static final String JSON = "{\"level\":\"%level{lowerCase=true}\",\"msg\":\"%enc{%m}{JSON}\",\"time\":\"%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}\"}%n";

    private final String file;
    private final boolean json;
    private final boolean debug;
    private Logger logger;

    public CliLog(String file, String format, boolean debug) {
        this.file = file;
        this.json = "json".equals(format);
        this.debug = debug;
    }

    public boolean debugEnabled() {
        return debug && file != null;
    }

    public void debug(String message) {
        if (debugEnabled()) logger().debug(message);
    }

    public void error(String message) {
        if (file != null) logger().error(message);
    }

    private Logger logger() {
        if (logger == null) {
            ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
            b.setStatusLevel(Level.ERROR);
            b.add(b.newAppender("log", "File").addAttribute("fileName", file).addAttribute("append", true)
                    .add(b.newLayout("PatternLayout").addAttribute("pattern", json ? JSON : TEXT)));
            b.add(b.newRootLogger(debug ? Level.DEBUG : Level.INFO).add(b.newAppenderRef("log")));
            LoggerContext context = Configurator.initialize(b.build());
            logger = context.getLogger("sysbox-runc");
        }
        return logger;
    }
}
