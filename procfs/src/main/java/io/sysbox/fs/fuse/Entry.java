package io.sysbox.fs.fuse;

/** The answer to a lookup: the node the name refers to and its attributes. */
public record Entry(long nodeId, Attributes attributes) {}
