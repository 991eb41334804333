package io.sysbox.common.daemon;

/** A daemon's --log-format: plain lines, or one JSON object per line as runc's --log-format json. */
public enum LogFormat { TEXT, JSON }
