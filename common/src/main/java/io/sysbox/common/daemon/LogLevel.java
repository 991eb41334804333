package io.sysbox.common.daemon;

/** A daemon's --log-level: the log4j2 levels the daemons offer. */
public enum LogLevel { DEBUG, INFO, WARN, ERROR }
