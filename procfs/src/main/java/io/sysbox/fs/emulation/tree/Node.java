package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.fuse.Attributes;
import io.sysbox.fs.fuse.FuseException;

/**
 * A name in the emulation tree. Node ids are handed to the kernel as FUSE node ids and never
 * reused while the file system is mounted, so a stale id can only miss, never hit another node.
 */
public sealed interface Node permits DirectoryNode, FileNode, HostNode {
    long id();

    String name();

    /** @throws FuseException when a node standing for a host node finds it gone */
    Attributes attributes() throws FuseException;
}
