package io.sysbox.fs.emulation;

import io.sysbox.fs.fuse.Attributes;

/**
 * A name in the emulation tree. Node ids are handed to the kernel as FUSE node ids and never
 * reused while the file system is mounted, so a stale id can only miss, never hit another node.
 */
public sealed interface Node permits DirectoryNode, FileNode {
    long id();

    String name();

    Attributes attributes();
}
